"""The publishing receiver for the edge caches (settings.PUBLISHING_RECEIVERS)."""

import hashlib

from publishing.changes import Change, EventKind

from .backends import EdgePurgeError, configured_backends


def purge(change):
    """Purge the Change at every configured edge cache. Every edge is tried even when one fails,
    then the failures are raised together, so the dispatcher retries the Change (purging again
    where it worked is harmless)."""
    failures = []
    for backend in configured_backends():
        try:
            backend.purge(change)
        except EdgePurgeError as exc:
            failures.append(str(exc))
    if failures:
        raise EdgePurgeError("; ".join(failures))


def purge_many(changes):
    """Many Changes (an import's burst) purged as one: the union of their keys and paths. Its id is
    made from theirs, so a retry of the same burst is the same purge (CloudFront's caller reference)."""
    if len(changes) == 1:
        purge(changes[0])
        return
    ids = "".join(sorted(change.id for change in changes))
    purge(
        Change(
            id=hashlib.sha256(ids.encode()).hexdigest()[:32],
            kind=EventKind.SITE_CHANGED,
            occurred_at=max(change.occurred_at for change in changes),
            keys=frozenset().union(*(change.keys for change in changes)),
            paths=frozenset().union(*(change.paths for change in changes)),
        )
    )


purge.many = purge_many
