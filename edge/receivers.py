"""The publishing receiver for the edge caches (settings.PUBLISHING_RECEIVERS)."""

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
