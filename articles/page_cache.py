"""Whole-page caching for the reader's pages, made stale exactly by what changed, and the headers an
edge cache (Varnish, a CDN) needs to do the same.

Each page names the surrogate keys of what it shows (articles/surrogate_keys.py). Each key has a
*generation*, a random token replaced by `invalidate(keys)` (`site` is on every page: it makes all
of them stale). A page is stored with the generations of its keys and served only while they are
all still current, so an edit of one article leaves the rest of the site cached. A page names its
keys only once rendered, so generations cannot be read before the render; instead a *changes*
token, replaced by every invalidation before it touches any generation, is read before the render
and again after it, with the generations: if it moved, a change committed while the page was being
rendered and the page is not stored. A generation that is missing (never set, or lost) is set to a
new token before the page is stored, so a page stored before the loss never matches it again:
losing state makes pages stale, never fresh.

Scheduled publishing and expiry change what is public without a save. Every page is cached only
until the next scheduled time (*schedule* in the state), which is worked out from the rows when it
is missing or has passed, and otherwise only brought forward by the times a change reports, so a
change costs no query. Once it has passed, every page rendered before is stale (the site's lists,
feeds and neighbour links may all move). Responses carry an ETag (ConditionalGetMiddleware
answers 304) and `max-age=0, must-revalidate` for browsers, and for the edge `xkey` and `Cache-Tag`
(the page's keys) and `Surrogate-Control: max-age=N`, N being EDGE_MAX_AGE capped at the next
scheduled time; anything not to be kept by a shared cache says `Surrogate-Control: no-store`.

Generations, the changes token and the schedule are the *state*: it lives where culling pages
cannot drop it, in the PAGE_STATE_CACHE cache when CACHES has one (file and local-memory caches,
cms/settings.py), else with the pages (Redis, without expiry). A lookup reads the page, the changes
token and the schedule (one MGET on Redis; only the state when this process holds the page from an
earlier hit or render, see RECENT_PAGES); a page stored under the current changes token is fresh
(nothing at all was invalidated since), and only otherwise are its generations read (a second round
trip). Requests with a session cookie (editors, staff previews) bypass the cache, and a cache that
is away (Redis down) simply means uncached pages."""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.dateparse import parse_datetime

from . import surrogate_keys

CHANGES_KEY = "pages:changes"
SCHEDULE_KEY = "pages:schedule"
# Pages this process read or stored last, as decoded from the cache: a hit on one reads only the
# state, not the page (on a file cache, reading and decompressing the page was half of a hit's time).
# Each is checked against the state exactly as one read from the cache, so whichever copy is served,
# it is fresh; 64 pages of about 30 KB each is 2 MB a process.
RECENT_PAGES = 64
_recent = {}
_recent_lock = threading.Lock()
# Browsers may keep a public page but ask again every time (the ETag makes that a 304).
PUBLIC_REVALIDATE = "public, max-age=0, must-revalidate"


def generation_key(key):
    """Where the generation of surrogate key `key` is kept in the state cache."""
    return f"pages:key:{key}"


def invalidate(keys, *, scheduled=None):
    """Make stale every cached page stored under any of `keys` (`site`: every page).

    `scheduled`: the publication and expiry times the changed rows now have (past ones and None are
    ignored), so that no page is cached past the soonest; None when they are not known, and the next
    scheduled time is then worked out again from the rows (one query)."""
    state = state_cache()
    if keys:
        # First the changes token: a render in flight that read the old rows sees it move and stores
        # nothing.
        state.set(CHANGES_KEY, secrets.token_hex(8), None)
        state.set_many({generation_key(key): secrets.token_hex(8) for key in keys}, None)
    now = timezone.now()
    if scheduled is None:
        known = state.get(SCHEDULE_KEY)
        _store_schedule(_next_event(now), known["since"] if known else now)
    elif times := [moment for moment in scheduled if moment is not None and moment > now]:
        known = state.get(SCHEDULE_KEY)
        # Nothing known: it is worked out from the rows (which hold these times) when next needed.
        if known is not None and (known["next"] is None or min(times) < known["next"]):
            _store_schedule(min(times), known["since"])


def invalidate_change(change):
    """The page cache's publishing receiver (settings.PUBLISHING_RECEIVERS): the Change's keys.
    Idempotent: invalidating twice only makes pages stale twice. Registered by default only for a
    cache in local memory (cms/settings.py, default_publishing_receivers): in a shared one, the
    process that committed the change has invalidated it for every process already."""
    invalidate(change.keys, scheduled=scheduled_times(change.article))


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
    from .models import Article, Status

    upcoming = Article.objects.filter(status=Status.PUBLISHED).aggregate(
        publish=Min("published", filter=Q(published__gt=now)),
        expire=Min("expires", filter=Q(expires__gt=now)),
    )
    times = [moment for moment in upcoming.values() if moment is not None]
    return min(times) if times else None


def _store_schedule(next_event, since):
    schedule = {"next": next_event, "since": since}
    state_cache().set(SCHEDULE_KEY, schedule, None)
    return schedule


def _schedule(stored, now):
    """The schedule, given what the state cache held: `next`, the next scheduled time (None: none),
    and `since`, the time before which every rendered page is stale."""
    if stored is None or (stored["next"] is not None and stored["next"] <= now):
        # Lost (eviction, a fresh cache) or a scheduled time has passed: pages rendered before now
        # may show what is no longer public, or miss what now is.
        return _store_schedule(_next_event(now), now)
    return stored


def _schedule_since_render(started, now):
    """The schedule worked out anew (lost, or never stored: a change that reported its own times
    leaves it to be worked out when next needed) by a render that began at `started`. The page it
    rendered is fresh unless a scheduled time passed during the render; pages rendered before it are
    stale, as for any lost schedule."""
    upcoming = _next_event(started)
    if upcoming is not None and upcoming <= now:
        return _store_schedule(_next_event(now), now)
    return _store_schedule(upcoming, started)


class _Stored(NamedTuple):
    """A cached page: bytes and headers rather than a pickled response object, which is slower to load."""

    started: datetime  # when its render began
    fresh_until: datetime  # PAGE_CACHE_SECONDS or the next scheduled time, whichever is sooner
    changes: str  # the changes token it was rendered under
    generations: dict  # generation_key(key) -> the generation it was rendered under
    content: bytes
    headers: list


@dataclass
class _Lookup:
    key: str  # the page's cache key
    started: datetime
    changes: str | None  # the changes token before the render (None for a cached page)
    response: HttpResponse | None  # the cached page, when it is fresh


def _cacheable(request):
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _read(key):
    """(the stored page or None, {CHANGES_KEY: token, SCHEDULE_KEY: schedule} as far as the state
    holds them): one round trip (MGET) when the state lives with the pages (Redis), else two."""
    if settings.PAGE_STATE_CACHE in settings.CACHES:
        return cache.get(key), caches[settings.PAGE_STATE_CACHE].get_many([CHANGES_KEY, SCHEDULE_KEY])
    found = cache.get_many([key, CHANGES_KEY, SCHEDULE_KEY])
    return found.pop(key, None), found


def _missed(key, now, changes):
    """The lookup of a page to render, with the changes token as it was before the render (a new
    one if it was lost, so that the token read after the render cannot equal it by chance)."""
    if changes is None:
        changes = secrets.token_hex(8)
        state_cache().set(CHANGES_KEY, changes, None)
    return _Lookup(key, now, changes, None)


def _fresh(stored, state, now):
    """The schedule if `stored` may be served, given the state read for this request; else None."""
    if stored is None or stored.fresh_until <= now:
        return None
    schedule = _schedule(state.get(SCHEDULE_KEY), now)
    if stored.started < schedule["since"]:
        return None
    # The same token as when the page was stored: nothing at all was invalidated since. Otherwise
    # the page is fresh only if what was invalidated is nothing it shows.
    changes = state.get(CHANGES_KEY)
    if changes is None or changes != stored.changes:
        generations = state_cache().get_many(list(stored.generations))
        if any(generations.get(name) != generation for name, generation in stored.generations.items()):
            return None
    return schedule


def _remember(key, stored):
    with _recent_lock:
        _recent.pop(key, None)
        if len(_recent) >= RECENT_PAGES:
            del _recent[next(iter(_recent))]
        _recent[key] = stored


def _lookup(request):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    key = f"pages:{hashlib.sha256(address.encode()).hexdigest()}"
    now = timezone.now()
    recent = _recent.get(key)
    if recent is None:
        stored, state = _read(key)
    else:
        stored, state = recent, state_cache().get_many([CHANGES_KEY, SCHEDULE_KEY])
    schedule = _fresh(stored, state, now)
    if schedule is None and recent is not None:
        # Stale in this process; another may have stored a fresh render since.
        with _recent_lock:
            _recent.pop(key, None)
        stored = cache.get(key)
        schedule = _fresh(stored, state, now)
    if schedule is None:
        return _missed(key, now, state.get(CHANGES_KEY))
    if stored is not recent:
        _remember(key, stored)
    response = HttpResponse(stored.content)
    for name, value in stored.headers:
        response[name] = value
    _mark_public(response, schedule, now)
    return _Lookup(key, now, None, response)


def _store(lookup, response, keys):
    """Store the rendered page under its keys unless a change committed while it was rendered;
    return the schedule."""
    state = state_cache()
    names = [generation_key(key) for key in sorted(keys)]
    # The changes token is read after the generations: a generation it reads as new was replaced after
    # the token (invalidate's order), so then the token has moved too.
    found = state.get_many([*names, SCHEDULE_KEY, CHANGES_KEY])
    now = timezone.now()
    if found.get(SCHEDULE_KEY) is None:
        schedule = _schedule_since_render(lookup.started, now)
    else:
        schedule = _schedule(found[SCHEDULE_KEY], now)
    if found.get(CHANGES_KEY) != lookup.changes:
        return schedule
    generations = {}
    for name in names:
        generations[name] = found.get(name)
        if generations[name] is None:
            generations[name] = secrets.token_hex(8)
            # add(), not set(): if a change set it meanwhile, this page must not claim its generation.
            if not state.add(name, generations[name], None):
                return schedule
    fresh_until = now + timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    if schedule["next"] is not None:
        fresh_until = min(fresh_until, schedule["next"])
    timeout = int((fresh_until - now).total_seconds())
    if timeout > 0:
        # The ETag once, here, not per hit (ConditionalGetMiddleware uses it for 304s).
        set_response_etag(response)
        stored = _Stored(
            lookup.started, fresh_until, lookup.changes, generations, response.content, list(response.items())
        )
        cache.set(lookup.key, stored, timeout)
        _remember(lookup.key, stored)
    return schedule


def _shareable(response):
    """Whether a shared cache may keep this response."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def _name_keys(response, keys):
    response["xkey"] = " ".join(sorted(keys))
    response["Cache-Tag"] = ",".join(sorted(keys))


def _mark_public(response, schedule, now):
    """Browsers revalidate every time; the edge keeps the page until the next scheduled time at most."""
    seconds = settings.EDGE_MAX_AGE
    if schedule["next"] is not None:
        seconds = min(seconds, int((schedule["next"] - now).total_seconds()))
    response["Surrogate-Control"] = f"max-age={seconds}" if seconds > 0 else "no-store"
    if "Cache-Control" in response:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    else:
        # What patch_cache_control writes on a response without one, less its parsing (once a hit).
        response["Cache-Control"] = PUBLIC_REVALIDATE


class CachedPageMiddleware:
    """Answers a cached page before the session, auth, CSRF and admin middleware run (a visitor's
    page needs none of them); the security, CSP and ETag middleware above it still apply. Pages get
    into the cache through @cached_page views only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _cacheable(request):
            # Kept on the request: on a miss, the @cached_page view stores under this lookup's key and
            # changes token instead of asking the cache a second time.
            request.page_cache_lookup = _lookup(request)
            if request.page_cache_lookup.response is not None:
                return request.page_cache_lookup.response
        response = self.get_response(request)
        # Only @cached_page views' answers may be kept by the edge; Varnish would keep anything else
        # without a lifetime (a 404 for an article about to be published) for its default TTL.
        response.setdefault("Surrogate-Control", "no-store")
        return response


def cached_page(view, *, keys=(), store=True):
    """Serve the view's 200 responses from the cache for visitors without a session, and mark them
    for the edge under the keys the view names (surrogate_keys.add) plus `keys`. store=False: only
    the edge keeps them (search: its addresses are endless and would push articles out of our cache)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        surrogate_keys.add(request, *keys)
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True)
            response["Surrogate-Control"] = "no-store"
            return response
        lookup = getattr(request, "page_cache_lookup", None) or _lookup(request)
        if lookup.response is not None:
            return lookup.response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()  # a TemplateResponse (the sitemap) is cached as its rendered bytes
        named = surrogate_keys.of(request)
        if not (named and _shareable(response)):
            response["Surrogate-Control"] = "no-store"
            return response
        _name_keys(response, named)
        if store:
            schedule = _store(lookup, response, named)
        else:
            schedule = _schedule(state_cache().get(SCHEDULE_KEY), timezone.now())
        _mark_public(response, schedule, timezone.now())
        return response

    return wrapper
