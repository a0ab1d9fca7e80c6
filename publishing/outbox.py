"""Recording changes: the transactional outbox.

A change of an article, author or tag is written as at most ONE Event per subject per transaction,
in that transaction, together with the task that delivers it (the database task backend writes
its row on the same connection). A transaction that rolls back leaves neither; one that commits
has both, whatever crashes afterwards. An admin save (the row, then its tags) or an import's file
(the row, then its tags) is one Event: the first touch of a subject in a transaction remembers what
readers saw before it, every later touch rewrites the same Event from that to what they see now.

Which transaction a touch belongs to is what Django's on-commit queue says: each subject's first
touch queues a marker callback; the callback runs when the transaction commits (ending the
subject's coalescing), and it leaves the queue when the transaction, or the savepoint it was queued
in, rolls back (so a later touch starts afresh). Outside any transaction (autocommit), a save is its
own transaction and its event is written right after it: changes that must not lose their event
belong in `transaction.atomic()`, as the admin and the importer do.

Our own page cache is told at once (a page read later in the same transaction must not be an old
one) and again when the transaction commits.

`batch()` is one transaction for many changes (an import: up to 200 files, each in a savepoint):
what readers saw before is still remembered at each subject's first touch, but what they see after
is looked at once, at the batch's end, for all its articles in a few queries, and its Events are
written then; our page cache is told once, after the commit, about everything the batch changed.
"""

import threading
from contextlib import contextmanager
from datetime import datetime
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from articles import page_cache
from articles.models import Status

from .affected import affected, site_affected, snapshot, snapshots
from .delivery import enqueue_event, enqueue_events
from .models import Event
from .scheduling import schedule

_local = threading.local()


class _Pending:
    """A subject touched in the current transaction: what readers saw before, and its Event."""

    def __init__(self, subject, before):
        self.subject = subject
        self.before = before
        self.last = before  # what readers of this transaction saw after its latest touch
        self.event_id = None
        self.keys = set()
        self.times = set()  # publication and expiry times its touches left, for the page cache
        self.scheduled = set()
        self.marker = None
        self.marker_place = 0  # its index in connection.run_on_commit when it was added

    def committed(self):
        _registry().pop(self.subject, None)
        _invalidate_pages(self.keys, self.times)


def _registry():
    if not hasattr(_local, "pending"):
        _local.pending = {}
    return _local.pending


def _current(subject):
    """The subject's pending record if it belongs to the open transaction, else None."""
    pending = _registry().get(subject)
    if pending is None:
        return None
    if pending.marker is None:
        # Autocommit: valid from the save's pre signal to its post signal, outside any transaction.
        if not connection.in_atomic_block:
            return pending
    else:
        # Where its marker was put: a savepoint's rollback drops only callbacks added after the ones
        # before it, so a marker still there is still at its place. The scan is the fallback: at
        # each check a scan of every callback of the transaction made an import's batch of 200
        # files quadratic (400,000 comparisons for 2,000 files).
        callbacks = connection.run_on_commit
        place = pending.marker_place
        if place < len(callbacks) and callbacks[place][1] is pending.marker:
            return pending
        if any(callback is pending.marker for _, callback, _ in callbacks):
            return pending
    _registry().pop(subject, None)  # its transaction or savepoint rolled back
    return None


def before_change(subject, take_snapshot):
    """Call before a subject's row changes: remembers what readers see now, once per transaction."""
    if connection.in_atomic_block and _current(subject) is not None:
        return
    pending = _Pending(subject, take_snapshot())
    if connection.in_atomic_block:
        pending.marker = pending.committed
        # robust: a cache that is away must not stop the other on-commit work.
        transaction.on_commit(pending.marker, robust=True)
        pending.marker_place = len(connection.run_on_commit) - 1
    _registry()[subject] = pending


def after_change(subject, take_snapshot, *, site_kind=None):
    """Call after a subject's row changed: (re)writes its one Event of this transaction (inside
    `batch()`: at the batch's end)."""
    held = getattr(_local, "held", None)
    if held is not None:
        held[subject] = (take_snapshot, site_kind)
        return
    pending = _current(subject)
    if pending is None:  # a change we did not see begin (raw rows, a signal sent by hand)
        return
    after = take_snapshot()
    changes = partial(site_affected, site_kind) if site_kind else affected
    found = changes(pending.before, after)
    # The pages this touch changed, for reads later in this same transaction; on commit, every page
    # any touch changed (a page rendered in between from this transaction's rows is stale too).
    step = found if pending.last is pending.before else changes(pending.last, after)
    if step is None and not site_kind and _reschedules(pending.last, after):
        # Invisible now, but it changes what readers will see at a time to come: the pages it will
        # be on must not be kept past that time (their lifetime is capped at the next such time).
        step = affected({**after, "public": False}, {**after, "public": True})
    pending.last = after
    times = (page_cache.scheduled_times(after) or []) if subject[0] == "article" else []
    pending.times.update(times)
    if step is not None:
        pending.keys.update(step.keys)
        _invalidate_pages(step.keys, times)
    article_id = subject[1] if subject[0] == "article" else None
    if found is None:
        if pending.event_id is not None:
            Event.objects.filter(pk=pending.event_id).delete()
            pending.event_id = None
    else:
        _write_event(pending, found, article_id, (after or pending.before) if article_id else None)
    if article_id is not None and after is not None:
        _schedule(pending, article_id, after)
    if pending.marker is None:
        _registry().pop(subject, None)


def _reschedules(before, after):
    """Whether a change of an invisible article moves a publication or expiry time still to come."""
    if after is None or after["status"] != Status.PUBLISHED:
        return False
    now = timezone.now()
    ahead = [at for at in (after["published"], after["expires"]) if at and datetime.fromisoformat(at) > now]
    return bool(ahead) and any(
        (before or {}).get(name) != after[name] for name in ("status", "published", "expires")
    )


def _write_event(pending, found, article_id, payload):
    fields = {
        "kind": found.kind,
        "keys": sorted(found.keys),
        "paths": sorted(found.paths),
        "payload": payload,
    }
    if pending.event_id is not None and Event.objects.filter(pk=pending.event_id).update(**fields):
        return
    # New, or written in a savepoint that rolled back since: write it (and its task) again.
    event = Event(article_id=article_id, occurred_at=timezone.now(), **fields)
    pending.event_id = event.pk
    unwritten = getattr(_local, "unwritten", None)
    if unwritten is not None:  # a batch's end: written together (_record_held)
        unwritten.append(event)
        return
    event.save(force_insert=True)
    enqueue_event(event)


def _schedule(pending, article_id, after):
    """A publication or expiry time ahead: a task at that time writes its event (scheduling.py)."""
    if after["status"] != Status.PUBLISHED:
        return
    before = pending.before or {}
    for moment in ("published", "expires"):
        at = after[moment]
        # Scheduled already by the change that set this time, unless the article was a draft then.
        known = at == before.get(moment) and before.get("status") == Status.PUBLISHED
        fresh = at and not known and (moment, at) not in pending.scheduled
        if fresh and datetime.fromisoformat(at) > timezone.now():
            schedule(article_id, moment, at)
            pending.scheduled.add((moment, at))


def _invalidate_pages(keys, times):
    if not keys:
        return
    deferred = getattr(_local, "batch", None)
    if deferred is not None:
        deferred[0].update(keys)
        deferred[1].update(times)
    else:
        page_cache.invalidate(keys, scheduled=list(times))


@contextmanager
def batch():
    """One transaction (transaction.atomic()) for many changes, an import's files: each touched
    subject's Event is written at its end, and our page cache is told once, after its commit. A
    batch within a batch is a savepoint of the outer one."""
    if getattr(_local, "batch", None) is not None:
        with transaction.atomic():
            yield
        return
    _local.batch, _local.held = (set(), set()), {}
    try:
        with transaction.atomic():
            yield
            if not transaction.get_rollback():  # a dry run, or a strict import that failed
                _record_held()
    finally:
        _local.held = None
        (keys, times), _local.batch = _local.batch, None
        _invalidate_pages(keys, times)


def _record_held():
    """The after_change calls a batch held, each made once, now. The articles' snapshots are taken
    together from their rows as they are now (a deleted one has none), whatever each call passed."""
    held, _local.held = _local.held, None
    # Only subjects whose touch held: a file whose savepoint rolled back left no change to record.
    held = {subject: touch for subject, touch in held.items() if _current(subject) is not None}
    found = snapshots([pk for kind, pk in held if kind == "article"])
    _local.unwritten = unwritten = []
    try:
        for subject, (take_snapshot, site_kind) in held.items():
            if subject[0] == "article":
                take_snapshot = partial(found.get, subject[1])
            after_change(subject, take_snapshot, site_kind=site_kind)
    finally:
        _local.unwritten = None
    Event.objects.bulk_create(unwritten)
    enqueue_events(unwritten)


def article_snapshot(pk, **options):
    return lambda: snapshot(pk, **options)
