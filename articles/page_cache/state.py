"""The page cache's state: each surrogate key's generation, the changes token and the schedule
(the package's docstring says how they make pages stale), and the invalidation that changes them."""

import secrets
from datetime import datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone
from django.utils.dateparse import parse_datetime

CHANGES_KEY = "pages:changes"
SCHEDULE_KEY = "pages:schedule"


def generation_key(key):
    """Where the generation of surrogate key `key` is kept in the state cache."""
    return f"pages:key:{key}"


def invalidate(keys, *, scheduled=None):
    """Make stale every cached page stored under any of `keys` (`site`: every page).

    `scheduled`: the publication and expiry times the changed rows now have (past ones and None are
    ignored), so that no page is cached past the soonest; None when they are not known, and the next
    scheduled time is then worked out again from the rows (one query).

    The keys' generations are deleted, not replaced: a page stored under one is stale all the same
    (its generation is gone), and the next page stored under the key adds a new one. A render in
    flight from the rows before the change cannot claim that new one: it read the changes token
    before the change, and a store that adds a generation reads the token again after the add
    (pages._keep), which this invalidation replaced before deleting anything. Replacing them wrote
    a file each on the file cache (an import of new articles names each one's author and tags: about
    800 generations a batch of 200, a fifth of its writer's time), most of them named by no page;
    a delete of a file that is not there is one failed unlink."""
    state = state_cache()
    if keys:
        # The changes token before the generations: a render in flight that read the old rows sees
        # it move and stores nothing. And again after them: a page found current by its generations
        # is stamped with the token read before and after they were (_fresh), and a token that
        # moves once the generations are gone undoes a stamp that read them just before.
        state.set(CHANGES_KEY, secrets.token_hex(8), None)
        state.delete_many([generation_key(key) for key in keys])
    now = timezone.now()
    times = (
        [] if scheduled is None else [moment for moment in scheduled if moment is not None and moment > now]
    )
    if scheduled is None:
        known = state.get(SCHEDULE_KEY)
        store_schedule(_next_event(now), known["since"] if known else now)
    elif times:
        known = state.get(SCHEDULE_KEY)
        # Nothing known: it is worked out from the rows (which hold these times) when next needed.
        if known is not None and (known["next"] is None or min(times) < known["next"]):
            store_schedule(min(times), known["since"])
    if keys or scheduled is None or times:
        # A page whose token is still current is served without a look at the schedule: every
        # page stored before a change of the schedule must have another token.
        state.set(CHANGES_KEY, secrets.token_hex(8), None)


def invalidate_change(change):
    """The page cache's publishing receiver (settings.PUBLISHING_RECEIVERS): the Change's keys.
    Idempotent: invalidating twice only makes pages stale twice. Not redundant with the committing
    process's own invalidation, even with a shared cache: it runs before the edge's receiver
    (PUBLISHING_RECEIVERS' order), so Varnish, once purged, never fetches a page our cache still
    holds stale; an import tells our cache only at its end (outbox.batch), after the worker may have
    purged the edge (tests/faults/test_edge_load.py found it)."""
    invalidate_changes([change])


def invalidate_changes(changes):
    """Many Changes (an import's burst) at once: the union of their keys, one invalidation."""
    times = [scheduled_times(change.article) for change in changes]
    scheduled = None if None in times else [moment for found in times for moment in found]
    invalidate(frozenset().union(*(change.keys for change in changes)), scheduled=scheduled)


invalidate_change.many = invalidate_changes


def scheduled_times(snapshot):
    """The article snapshot's publication and expiry times, or None when it does not carry both."""
    if not snapshot or "published" not in snapshot or "expires" not in snapshot:
        return None
    times = [snapshot["published"], snapshot["expires"]]
    parsed = [value if isinstance(value, datetime) else parse_datetime(value) for value in times if value]
    return None if None in parsed else parsed


def state_cache():
    """The cache that holds the state: PAGE_STATE_CACHE when CACHES has it, else the pages' own."""
    return caches[settings.PAGE_STATE_CACHE] if settings.PAGE_STATE_CACHE in settings.CACHES else cache


def _next_event(now):
    from ..models import Article, Status

    # Two seeks, one per index (article_public_order_idx; article_expiry_idx), not one aggregate over
    # every published row: that read all of them, 66-100 ms at 30,000 articles.
    published = Article.objects.filter(status=Status.PUBLISHED)
    times = [
        published.filter(**{f"{field}__gt": now}).order_by(field).values_list(field, flat=True).first()
        for field in ("published", "expires")
    ]
    times = [moment for moment in times if moment is not None]
    return min(times) if times else None


def store_schedule(next_event, since):
    schedule = {"next": next_event, "since": since}
    state_cache().set(SCHEDULE_KEY, schedule, None)
    return schedule


def current_schedule(stored, now):
    """The schedule, given what the state cache held: `next`, the next scheduled time (None: none),
    and `since`, the time before which every rendered page is stale."""
    if stored is None or (stored["next"] is not None and stored["next"] <= now):
        # Lost (eviction, a fresh cache) or a scheduled time has passed: pages rendered before now
        # may show what is no longer public, or miss what now is.
        return store_schedule(_next_event(now), now)
    return stored


def next_scheduled(now):
    """The next scheduled publish or expiry (None: none), as the state knows it."""
    return current_schedule(state_cache().get(SCHEDULE_KEY), now)["next"]


def schedule_since_render(started, now):
    """The schedule worked out anew (lost, or never stored: a change that reported its own times
    leaves it to be worked out when next needed) by a render that began at `started`. The page it
    rendered is fresh unless a scheduled time passed during the render; pages rendered before it are
    stale, as for any lost schedule."""
    upcoming = _next_event(started)
    if upcoming is not None and upcoming <= now:
        return store_schedule(_next_event(now), now)
    return store_schedule(upcoming, started)
