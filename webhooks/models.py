"""Webhooks: who hears about which publish events, and the log of every delivery and attempt.

A Delivery is one event for one webhook (unique on the pair: a Change handed over twice is still
one delivery); an Attempt is one POST of it. webhooks/sending.py does the POSTs.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from cms.outbound import RefusedAddress, checked_url_address
from publishing.changes import EventKind

EVENT_CHOICES = [(kind, kind) for kind in EventKind.ALL]


def new_secret():
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    name = models.CharField(max_length=200, help_text="Who receives these events, for the editors' sake.")
    url = models.URLField(
        "target URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The address each event is POSTed to. It must be a public address: the site refuses "
        "private and loopback ones unless WEBHOOK_ALLOWED_NETWORKS allows them.",
    )
    events = models.JSONField(
        default=list,
        help_text="The events this address hears about. site.changed is sent for every change readers "
        "can see, whatever its kind.",
    )
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        editable=False,
        help_text="The receiver checks each delivery's X-Webhook-Signature with this secret. Rotate it "
        "if it leaks; the receiver then needs the new one.",
    )
    active = models.BooleanField(default=True, help_text="Inactive webhooks hear about nothing.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = [kind for kind in self.events if kind not in EventKind.ALL]
        if unknown:
            raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})
        if self.url:
            try:
                target_address(self.url)
            except RefusedAddress as exc:
                raise ValidationError({"url": f"This address is refused: {exc}."}) from exc

    def kind_for(self, change):
        """The event kind this webhook receives `change` as, or None when it did not ask for it."""
        if change.kind in self.events:
            return change.kind
        if EventKind.SITE_CHANGED in self.events:
            return EventKind.SITE_CHANGED
        return None


def target_address(url):
    """The checked address to connect to for a webhook URL (RefusedAddress says why not)."""
    return checked_url_address(url, settings.WEBHOOK_ALLOWED_NETWORKS)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # to be sent, or sent again after a failed attempt
        DELIVERED = "delivered", "Delivered"  # the receiver answered 2xx
        GIVEN_UP = "given_up", "Given up"  # WEBHOOK_MAX_ATTEMPTS attempts failed

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(
        max_length=64, help_text="The event's id, sent as X-Webhook-Id: receivers use it to act once."
    )
    kind = models.CharField("event", max_length=40, choices=EVENT_CHOICES)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending this delivery holds it until then; a worker killed mid-send leaves it to lapse.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The queued task of its next attempt (django-tasks' database backend): the recovery sweep
    # requeues a pending delivery whose task is no longer queued (webhooks/recovery.py).
    task_id = models.UUIDField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="one_delivery_per_webhook_and_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.kind} {self.event_id} to {self.webhook}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField("response code", null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the attempt failed, when it did.")
    duration_ms = models.PositiveIntegerField("duration (ms)")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.status_code or self.error} at {self.at:%Y-%m-%d %H:%M:%S}"
