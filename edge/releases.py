"""A deploy's word to the edge caches: the pages they hold were rendered by the release it replaced.

Our own page cache needs no word: the release is part of its keys (articles/page_cache/release.py),
so a new release never looks up an older one's pages. An edge (Varnish, a CDN) keeps pages by address
for up to EDGE_MAX_AGE (a day) and is otherwise purged only by content changes, so a new release
purges `site` there, the key every cacheable page carries, once. The release last announced is kept
in the page cache's state, which every origin shares (Redis, or make serve's file cache): announcing
the same release again, from each machine of a rollout or on every restart, purges nothing.
"""

import hashlib
from dataclasses import dataclass

from django.utils import timezone

from articles.page_cache import release, state_cache
from publishing.changes import SITE_KEY, Change, EventKind

from .backends import configured_backends
from .receivers import purge

ANNOUNCED_KEY = "pages:release"


@dataclass(frozen=True)
class Announcement:
    release: str  # this process's release id
    previous: str | None  # the release announced before (None: none known)
    edges: tuple  # the names of the configured edge caches
    purged: bool  # whether they were (or, in a dry run, would be) purged


def announce(*, force=False, dry_run=False):
    """Purge every configured edge of the pages of earlier releases unless this release was announced
    already (or `force`), then record it. EdgePurgeError when an edge failed: nothing is recorded, so
    the next run purges again."""
    current = release.current()
    held = state_cache()
    previous = held.get(ANNOUNCED_KEY)
    due = force or previous != current
    edges = tuple(backend.name for backend in configured_backends())
    # Nothing recorded without an edge: one configured later must still be purged of what it holds.
    if due and edges and not dry_run:
        now = timezone.now()
        # The id is the CloudFront caller reference: the same for a retry, new for a forced purge.
        seed = f"release:{current}:{now.isoformat() if force else previous}"
        purge(
            Change(
                id=hashlib.sha256(seed.encode()).hexdigest()[:32],
                kind=EventKind.SITE_CHANGED,
                occurred_at=now,
                keys=frozenset({SITE_KEY}),
            )
        )
        held.set(ANNOUNCED_KEY, current, None)
    return Announcement(current, previous, edges, due)
