"""The publishing receiver for webhooks (PUBLISHING_RECEIVERS): one delivery per subscribed webhook
and event, sent later by the send task. It never sends inline, so a slow receiver never holds up the
other receivers of a change."""

from django.db import transaction

from publishing.changes import Change

from .models import Delivery, Webhook
from .tasks import enqueue_send


def notify(change: Change) -> None:
    """Record a delivery of `change` for every active webhook that asked for it, and enqueue its
    first attempt. Idempotent on change.id: a change handed over again makes no second delivery."""
    _notify(change, Webhook.objects.filter(active=True))


def _notify(change, webhooks):
    for webhook in webhooks:
        kind = webhook.kind_for(change)
        if kind is None:
            continue
        payload = {**change.as_payload(), "event": kind}
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                webhook=webhook, event_id=change.id, defaults={"kind": kind, "payload": payload}
            )
            if created:
                enqueue_send(delivery.pk, 1)


def notify_many(changes):
    """Many Changes (an import's burst) recorded in one transaction: one commit, not one per change."""
    webhooks = list(Webhook.objects.filter(active=True))  # once for the burst, not once per change
    with transaction.atomic():
        for change in changes:
            _notify(change, webhooks)


notify.many = notify_many
