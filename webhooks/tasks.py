"""The send task and its scheduling: each attempt of a delivery is one django-tasks task, retries
are tasks enqueued with run_after, so the database backend's worker (`manage.py db_worker`) does
the waiting and nothing polls.

A task names the attempt it is for, `send_delivery(delivery_id, attempt)`, and does nothing when
that attempt was made already or the delivery no longer waits, so a task run twice (a worker
restarted, "send again" pressed during a retry) sends once. While it sends, the worker holds a
lease on the delivery (claimed_until) instead of a database lock: a POST can take
WEBHOOK_TIMEOUT, and a transaction held that long would block every other writer on SQLite. A
worker killed mid-send leaves its lease to lapse; the same task run again then sends. Receivers
may still see an event twice (a worker killed after the POST and before the log), which is why
each delivery carries its event's id in X-Webhook-Id.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .models import Attempt, Delivery
from .sending import next_state, post

# Beyond the two socket timeouts (connect, answer), time for the database writes around a POST.
LEASE_MARGIN_SECONDS = 30


def enqueue_send(delivery_id, attempt, at=None):
    """Enqueue attempt number `attempt`, at `at` when the backend can wait (the database backend
    can; the immediate one, for a development run without a worker, sends at once), and record its
    task on the delivery while that attempt is still the one it waits for (an attempt made since
    has recorded the task of the next)."""
    send = send_delivery
    if at is not None and send.get_backend().supports_defer:
        send = send.using(run_after=at)
    task_id = _row_id(send.enqueue(delivery_id, attempt).id)
    Delivery.objects.filter(pk=delivery_id, attempts=attempt - 1).update(task_id=task_id)


def _row_id(task_id):
    """The task's id as the database backend's table holds it, or None: the immediate backend's
    ids are no UUIDs, and it has run the task already."""
    try:
        return uuid.UUID(str(task_id))
    except ValueError:
        return None


def lease_seconds():
    """How long a worker holds a delivery it sends: longer than any send can take."""
    return 2 * settings.WEBHOOK_TIMEOUT + LEASE_MARGIN_SECONDS


@task()
def send_delivery(delivery_id, attempt):
    """Make attempt number `attempt` (1-based) of a delivery; returns what happened, for the task log."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=lease_seconds())
    waiting = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, attempts=attempt - 1)
    claimed = waiting.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)).update(
        claimed_until=lease_until
    )
    if not claimed:
        holder = waiting.values_list("claimed_until", flat=True).first()
        if holder is None:
            return "nothing to do"  # delivered, given up, or this attempt was made
        # Another worker is sending it, or was and died: look again when its lease ends.
        enqueue_send(delivery_id, attempt, at=holder)
        return "claimed by another worker"
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    outcome = post(delivery)
    delivery.attempts = attempt
    status, next_attempt_at = next_state(delivery, outcome)
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        # Only while the lease is still ours: once it lapsed, another worker took this attempt over,
        # and its result counts.
        kept = Delivery.objects.filter(pk=delivery_id, claimed_until=lease_until).update(
            attempts=attempt, status=status, next_attempt_at=next_attempt_at, claimed_until=None
        )
        if not kept:
            return "lease lapsed"
        if next_attempt_at is not None:
            enqueue_send(delivery_id, attempt + 1, at=next_attempt_at)
    return status


def send_again(delivery):
    """A new attempt now, whatever the delivery's state (given up and delivered ones too)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at"])
        enqueue_send(delivery.pk, delivery.attempts + 1)
