"""Delivering events: the task that hands each Event, as a Change, to every receiver.

Receivers are dotted paths in settings.PUBLISHING_RECEIVERS, each a callable `receiver(change)`
that raises to be tried again and acts once per `change.id` (it may be handed a Change twice).
Each (event, receiver) has its own ReceiverState, so a receiver that fails is retried alone, with
exponential backoff and full jitter (cms/backoff.py), and given up after PUBLISHING_MAX_ATTEMPTS tries; the others
are not repeated. django-tasks retries nothing by itself: a task that fails stays failed, so a
retry is a new task with run_after at the next attempt's time.

A receiver may also take many Changes in one call (a callable attribute `many`): then one delivery
hands it every due Change it has not had yet, up to BATCH_SIZE. An import commits up to 500
articles at once; one edge purge of their keys reaches readers in a fraction of the time 500
purges in a row would take.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from cms.backoff import backoff

from .models import Event, ReceiverState

logger = logging.getLogger(__name__)
BATCH_SIZE = 200


@task
def deliver(event_id, receiver=None):
    """Deliver the event to every receiver still due (or only to `receiver`, a retry)."""
    _deliver(event_id, receiver)


@task
def deliver_each(event_ids):
    """deliver() each of the events in turn: the ones an import's batch wrote, in one task."""
    for event_id in event_ids:
        _deliver(event_id)


def _deliver(event_id, receiver=None):
    event = Event.objects.filter(pk=event_id).first()
    if event is None:  # its transaction wrote it, then found the change invisible and removed it
        return
    states = event.receiver_states.filter(
        status=ReceiverState.Status.PENDING, next_attempt_at__lte=timezone.now()
    )
    if receiver is not None:
        states = states.filter(receiver=receiver)
    change = event.as_change()
    # In PUBLISHING_RECEIVERS' order: our page cache is made stale before the edge is purged, or
    # Varnish could fetch again the page our cache still holds (tests/faults/test_edge_load.py).
    order = {path: position for position, path in enumerate(settings.PUBLISHING_RECEIVERS)}
    for state in sorted(states, key=lambda state: order.get(state.receiver, len(order))):
        deliver_to(state, change)


def enqueue_event(event):
    """Give `event` a state per configured receiver and queue the task that delivers it."""
    enqueue_events([event])


def enqueue_events(events):
    """Give each of `events` (saved) a state per configured receiver, and queue one task that
    delivers them all: an import's batch of 200 events is one task and one INSERT of states."""
    if not events:
        return
    if len(events) == 1:
        task_id = deliver.enqueue(events[0].pk.hex).id
    else:
        task_id = deliver_each.enqueue([event.pk.hex for event in events]).id
    ReceiverState.objects.bulk_create(
        ReceiverState(event=event, receiver=path, next_attempt_at=event.created_at, task_id=task_id)
        for event in events
        for path in settings.PUBLISHING_RECEIVERS
    )


def unclaimed(now):
    """States no worker holds: never claimed, or claimed by one presumed dead (its claim ran out)."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def deliver_to(state, change):
    """One attempt to hand `change` to one receiver, if no other worker holds its state."""
    receiver = import_string(state.receiver)
    if getattr(receiver, "many", None) is not None:
        _deliver_many(state, receiver.many)
        return
    now = timezone.now()
    claim = timedelta(seconds=settings.PUBLISHING_CLAIM_SECONDS)
    claimed = (
        ReceiverState.objects.filter(pk=state.pk, status=ReceiverState.Status.PENDING)
        .filter(unclaimed(now))
        .update(claimed_until=now + claim, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return
    state.refresh_from_db(fields=["attempts"])
    try:
        receiver(change)
    except Exception as exc:  # any failure of a receiver is retried; its message is kept
        _failed(state, change, exc)
    else:
        state.status, state.claimed_until, state.last_error = ReceiverState.Status.DONE, None, ""
        state.save(update_fields=["status", "claimed_until", "last_error", "updated_at"])


def _deliver_many(state, many):
    """One attempt to hand a receiver that takes many Changes this state's Change and every other
    one due for it, in one call. The states are claimed under a mark of this call's own, so two
    workers never hand the same Change over at once; each failed state is retried on its own."""
    now = timezone.now()
    # The claim's end, made unique to this call by its microseconds: it tells our claims apart.
    mark = now + timedelta(seconds=settings.PUBLISHING_CLAIM_SECONDS, microseconds=random.randrange(10**6))
    due = ReceiverState.objects.filter(
        receiver=state.receiver, status=ReceiverState.Status.PENDING, next_attempt_at__lte=now
    )
    others = due.exclude(pk=state.pk).filter(unclaimed(now)).order_by("next_attempt_at", "pk")
    candidates = [state.pk, *others.values_list("pk", flat=True)[: BATCH_SIZE - 1]]
    ReceiverState.objects.filter(pk__in=candidates, status=ReceiverState.Status.PENDING).filter(
        unclaimed(now)
    ).update(claimed_until=mark, attempts=F("attempts") + 1, updated_at=now)
    claimed = list(
        ReceiverState.objects.filter(pk__in=candidates, claimed_until=mark).select_related("event")
    )
    if not claimed:
        return
    changes = [claimed_state.event.as_change() for claimed_state in claimed]
    try:
        many(changes)
    except Exception as exc:  # any failure of a receiver is retried; its message is kept
        for claimed_state, change in zip(claimed, changes, strict=True):
            _failed(claimed_state, change, exc)
    else:
        ReceiverState.objects.filter(pk__in=[claimed_state.pk for claimed_state in claimed]).update(
            status=ReceiverState.Status.DONE, claimed_until=None, last_error="", updated_at=timezone.now()
        )


def _failed(state, change, exc):
    state.last_error = f"{exc.__class__.__name__}: {exc}"
    state.claimed_until = None
    if state.attempts >= settings.PUBLISHING_MAX_ATTEMPTS:
        state.status = ReceiverState.Status.GIVEN_UP
        logger.error(
            "Gave up delivering event %s (%s) to %s after %d attempts: %s",
            change.id,
            change.kind,
            state.receiver,
            state.attempts,
            state.last_error,
        )
    else:
        wait = backoff(
            state.attempts,
            base=settings.PUBLISHING_RETRY_BASE_SECONDS,
            cap=settings.PUBLISHING_RETRY_CAP_SECONDS,
        )
        state.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        state.task_id = deliver.using(run_after=state.next_attempt_at).enqueue(change.id, state.receiver).id
        logger.warning(
            "Delivering event %s to %s failed (attempt %d), next attempt at %s: %s",
            change.id,
            state.receiver,
            state.attempts,
            state.next_attempt_at.isoformat(),
            state.last_error,
        )
    state.save()


def redeliver(event):
    """The admin's "dispatch again": every receiver of `event` is handed it again now, with a fresh
    count of attempts (receivers act once per change.id, so this repeats nothing a receiver did)."""
    task_id = deliver.enqueue(event.pk.hex).id
    now = timezone.now()
    known = set(event.receiver_states.values_list("receiver", flat=True))
    ReceiverState.objects.bulk_create(
        ReceiverState(event=event, receiver=path, task_id=task_id)
        for path in settings.PUBLISHING_RECEIVERS
        if path not in known
    )
    event.receiver_states.update(
        status=ReceiverState.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        task_id=task_id,
        last_error="",
        updated_at=now,
    )
