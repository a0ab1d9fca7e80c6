"""The outbox: one Event per reader-visible change, written in the change's own transaction, and
one ReceiverState per (event, receiver) saying how far its delivery has got."""

import uuid

from django.db import models
from django.utils import timezone

from .changes import Change, EventKind


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=[(kind, kind) for kind in EventKind.ALL])
    # No foreign key: a deleted article keeps its events.
    article_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(
        null=True,
        blank=True,
        help_text="The article as readers see it after the change (before it, for a delete).",
    )
    keys = models.JSONField(default=list, help_text="The surrogate keys of the pages this change made stale.")
    paths = models.JSONField(
        default=list, help_text="The same pages as URL paths, for caches that purge by URL."
    )
    occurred_at = models.DateTimeField(help_text="When the change happened; for a scheduled one, its time.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set for events a scheduled publish or expiry writes, so that running its task twice writes one.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.payload.get('slug') if self.payload else ''}".rstrip()

    def as_change(self):
        return Change(
            id=self.id.hex,
            kind=self.kind,
            occurred_at=self.occurred_at,
            keys=frozenset(self.keys),
            paths=frozenset(self.paths),
            article=self.payload,
        )


class ReceiverState(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        GIVEN_UP = "given_up", "Given up"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receiver_states")
    receiver = models.CharField(
        max_length=200, help_text="The receiver's dotted path (PUBLISHING_RECEIVERS)."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A delivery under way holds the state until this time; a worker killed mid-delivery never
    # releases it, so once it has passed the state may be delivered again (publishing/recovery.py).
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The task meant to deliver it next: the recovery sweep leaves a state alone while it is queued.
    task_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "receiver"], name="one_state_per_receiver")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="receiver_state_due_idx")]

    def __str__(self):
        return f"{self.receiver}: {self.get_status_display()}"
