"""Cached pages: looked up (fresh against the state, or not), stored once rendered, replayed as
responses, with the headers browsers and the edge get."""

import contextvars
import hashlib
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag

from publishing.changes import SITE_KEY

from . import release, state

# Pages this process read or stored last, as decoded from the cache: a hit on one reads only the
# state, not the page (on a file cache, reading and decompressing the page was half of a hit's time).
# Each is checked against the state exactly as one read from the cache, so whichever copy is served,
# it is fresh; 64 pages of about 30 KB each is 2 MB a process.
RECENT_PAGES = 64
_recent = {}
_recent_lock = threading.Lock()
# The state this process read last under one changes token: (token, {state key: value}). While the
# token has not moved, nothing was invalidated (invalidate() replaces it before and after it deletes
# generations or moves the schedule), so a store under that token needs to read only the token itself,
# not again each generation and the schedule (each a file on the file cache: 3 of a miss's 8 reads).
# A generation lost meanwhile (culled) is no danger: the pages stamped with the old one are fresh
# while the token holds, as any page is, and stale once it moves, found lost. Bounded by SEEN_STATE.
SEEN_STATE = 10_000
_seen_state = (None, {})
# The changes token the page being rendered was looked up under (rendering(): CachedPageMiddleware sets
# it around the view). A kept() value looked up during the render is checked against it rather than
# against the token read again: the page is kept only if that token still holds after the render, so
# a value as of the lookup is as fresh as the page; and a miss reads one state file fewer.
_rendering_under = contextvars.ContextVar("page_cache_rendering_under", default=None)
# Browsers may keep a public page but ask again every time (the ETag makes that a 304).
PUBLIC_REVALIDATE = "public, max-age=0, must-revalidate"


class _Stored(NamedTuple):
    """A cached page: bytes and headers rather than a pickled response object, which is slower to load."""

    started: datetime  # when its render began
    fresh_until: datetime  # PAGE_CACHE_SECONDS or the next scheduled time, whichever is sooner
    next_event: datetime | None  # the next scheduled time as of `changes` (caps the edge's lifetime)
    changes: str  # the changes token it was rendered under, or last found current under
    generations: dict  # state.generation_key(key) -> the generation it was rendered under
    content: bytes  # a page's; or the value kept()
    headers: dict  # as every middleware left them (CSP, X-Frame-Options, ...), in ResponseHeaders' form


@dataclass
class _Lookup:
    key: str  # the page's cache key
    started: datetime
    changes: str | None  # the changes token before the render (None for a cached page)
    response: HttpResponse | None  # the cached page, when it is fresh


def cacheable(request):
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _read(key):
    """(the stored page or None, the changes token or None): one round trip (MGET) when the state
    lives with the pages (Redis), else two."""
    if settings.PAGE_STATE_CACHE in settings.CACHES:
        return cache.get(key), caches[settings.PAGE_STATE_CACHE].get(state.CHANGES_KEY)
    found = cache.get_many([key, state.CHANGES_KEY])
    return found.get(key), found.get(state.CHANGES_KEY)


def _missed(key, now, changes):
    """The lookup of a page to render, with the changes token as it was before the render (a new
    one if it was lost, so that the token read after the render cannot equal it by chance)."""
    if changes is None:
        changes = secrets.token_hex(8)
        state.state_cache().set(state.CHANGES_KEY, changes, None)
    return _Lookup(key, now, changes, None)


def _fresh(key, stored, changes, now):
    """`stored` as it may be served, given the changes token read for this request; else None."""
    if stored is None or stored.fresh_until <= now:
        return None
    if changes is not None and changes == stored.changes:
        # Nothing was invalidated and the schedule did not move since the page was stored (or last
        # found current): the hit costs the token alone.
        return stored
    # Something was: the page is fresh only if it was nothing the page shows. Its generations, then
    # the schedule, then the token again: invalidate() writes them in the other order.
    found = state.state_cache().get_many([*stored.generations, state.SCHEDULE_KEY, state.CHANGES_KEY])
    if any(found.get(name) != generation for name, generation in stored.generations.items()):
        return None
    schedule = state.current_schedule(found.get(state.SCHEDULE_KEY), now)
    if stored.started < schedule["since"]:
        return None
    fresh_until = stored.fresh_until
    if schedule["next"] is not None:
        fresh_until = min(fresh_until, schedule["next"])
    current = stored._replace(fresh_until=fresh_until, next_event=schedule["next"])
    if changes is not None and found.get(state.CHANGES_KEY) == changes:
        # The token did not move while the generations were read: the page is current under it, and
        # the next hits cost the token alone again, until the next change.
        current = current._replace(changes=changes)
        timeout = int((fresh_until - now).total_seconds())
        if timeout > 0:
            cache.set(key, current, timeout)
    return current


def _remember(key, stored):
    with _recent_lock:
        _recent.pop(key, None)
        if len(_recent) >= RECENT_PAGES:
            del _recent[next(iter(_recent))]
        _recent[key] = stored


def lookup(request):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    # The release in the key: pages rendered by other code (before a deploy) are never looked up.
    key = f"pages:{release.current()}:{hashlib.sha256(address.encode()).hexdigest()}"
    now = timezone.now()
    current, changes = _current(key, now)
    if current is None:
        return _missed(key, now, changes)
    response = _replay(current)
    mark_public(response, current.next_event, now)
    return _Lookup(key, now, None, response)


def _current(key, now, changes=None):
    """(what is stored under `key` if fresh, else None; the changes token): only the token is read
    when this process holds a fresh copy (_recent), and not even that when given (`changes`, read
    earlier in the same request)."""
    recent = _recent.get(key)
    if changes is not None:
        stored = cache.get(key) if recent is None else recent
    elif recent is None:
        stored, changes = _read(key)
    else:
        stored, changes = recent, state.state_cache().get(state.CHANGES_KEY)
    current = _fresh(key, stored, changes, now)
    if current is None and recent is not None:
        # Stale in this process; another may have stored a fresh render since.
        with _recent_lock:
            _recent.pop(key, None)
        current = _fresh(key, cache.get(key), changes, now)
    if current is not None and current is not recent:
        _remember(key, current)
    return current, changes


def _replay(stored):
    """The stored page as a response. Its headers were checked and encoded by Django's
    ResponseHeaders when the page was rendered; they are put back as that mapping holds them
    ({lower-case name: (name, value)} in `_store`, as since Django 3.2), not checked again one by one,
    which was a fifth of a hit's time. tests/test_page_cache.py compares a hit's headers with its
    render's."""
    response = HttpResponse(stored.content)
    response.headers._store.update(stored.headers)
    return response


@contextmanager
def rendering(lookup):
    """While the page `lookup` missed is rendered: kept() compares against its changes token (None: a
    response the cache was not asked for, and kept() reads the token itself)."""
    reset = _rendering_under.set(lookup.changes if lookup is not None else None)
    try:
        yield
    finally:
        _rendering_under.reset(reset)


def store(lookup, response, keys):
    """Store the rendered page under its keys unless a change committed while it was rendered;
    return the next scheduled time."""

    def stored(**freshness):
        # The ETag once, here, not per hit (ConditionalGetMiddleware uses it for 304s); that
        # middleware, below this one, has given every page it lets be kept one already.
        if not response.has_header("ETag"):
            set_response_etag(response)
        return _Stored(content=response.content, headers=dict(response.headers._store), **freshness)

    return _keep(lookup, keys, stored, remember=True)


def kept(name, keys, compute):
    """compute()'s value (anything pickled), kept like a page under surrogate `keys` and the schedule:
    computed again only once a change names one of the keys, or a scheduled time passes, as a page
    naming them would be rendered again. For values that many pages show but none owns: the Content
    API's totals (a count of every public article at each list miss was most of its time at 100,000
    articles); kept under the same keys as the pages that show them, such a value is exactly as fresh
    as they are."""
    key = f"kept:{release.current()}:{hashlib.sha256(repr(name).encode()).hexdigest()}"
    now = timezone.now()
    current, changes = _current(key, now, _rendering_under.get())
    if current is not None:
        return current.content
    lookup = _missed(key, now, changes)
    value = compute()
    # `site` as on every page (surrogate_keys.of): invalidating it makes everything stale.
    named = {SITE_KEY, *keys}
    _keep(lookup, named, lambda **freshness: _Stored(content=value, headers={}, **freshness), remember=True)
    return value


def _keep(lookup, keys, stored, remember=False):
    """Keep stored(**freshness) (a _Stored) under `keys` unless a change committed since the lookup;
    return the next scheduled time."""
    held = state.state_cache()
    names = [state.generation_key(key) for key in sorted(keys)]
    now = timezone.now()
    found = _state_under(lookup.changes, [*names, state.SCHEDULE_KEY], now)
    if found.get(state.SCHEDULE_KEY) is None:
        schedule = state.schedule_since_render(lookup.started, now)
    else:
        schedule = state.current_schedule(found[state.SCHEDULE_KEY], now)
    if found.get(state.CHANGES_KEY) != lookup.changes:
        return schedule["next"]
    generations, added = {}, {}
    for name in names:
        generations[name] = found.get(name)
        if generations[name] is None:
            generations[name] = added[name] = secrets.token_hex(8)
            # add(), not set(): if another render added it meanwhile (a change deletes generations,
            # never writes one), its generation stands and this page claims it too.
            if not held.add(name, generations[name], None):
                generations[name] = added[name] = held.get(name)
                if generations[name] is None:
                    return schedule["next"]
    if added:
        # A change that committed since the token was read deleted the generations it named
        # (invalidate) after replacing the token: one this store added may be such a one, which
        # this page, rendered from the rows before the change, must not claim.
        if held.get(state.CHANGES_KEY) != lookup.changes:
            return schedule["next"]
        _seen_under(lookup.changes, added)
    fresh_until = now + timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    if schedule["next"] is not None:
        fresh_until = min(fresh_until, schedule["next"])
    timeout = int((fresh_until - now).total_seconds())
    if timeout > 0:
        entry = stored(
            started=lookup.started,
            fresh_until=fresh_until,
            next_event=schedule["next"],
            changes=lookup.changes,
            generations=generations,
        )
        cache.set(lookup.key, entry, timeout)
        if remember:
            _remember(lookup.key, entry)
    return schedule["next"]


def _state_under(token, names, now):
    """{name: value} of the state keys `names`, and the changes token as CHANGES_KEY, read after them:
    a generation or schedule a change touched was touched after the token was replaced (invalidate's
    order), so then the token read has moved too. Values this process read under `token`
    (_seen_state) are not read again, but a schedule whose next time has passed is (another process
    may have worked it out anew)."""
    seen_token, seen = _seen_state
    known = {}
    if token is not None and token == seen_token:
        known = {name: seen[name] for name in names if name in seen}
        schedule = known.get(state.SCHEDULE_KEY)
        if schedule is not None and schedule["next"] is not None and schedule["next"] <= now:
            del known[state.SCHEDULE_KEY]
    found = state.state_cache().get_many([*(name for name in names if name not in known), state.CHANGES_KEY])
    if found.get(state.CHANGES_KEY) == token:
        _seen_under(token, {name: value for name, value in found.items() if name != state.CHANGES_KEY})
    return {**known, **found}


def forget_process_memory():
    """Drop the pages and state this process remembers (_recent, _seen_state): for a cache emptied
    behind its back (the test suite empties it before each test)."""
    global _seen_state
    with _recent_lock:
        _recent.clear()
    _seen_state = (None, {})


def _seen_under(token, values):
    """Remember `values` (state keys' values, None for missing: not remembered) as read under `token`."""
    global _seen_state
    if token is None:
        return
    seen_token, seen = _seen_state
    known = {name: value for name, value in values.items() if value is not None}
    if token == seen_token and len(seen) < SEEN_STATE:
        seen.update(known)
    else:
        _seen_state = (token, known)


def shareable(response):
    """Whether a shared cache may keep this response (the cookies of every middleware below
    CachedPageMiddleware included: CSRF, session, messages)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def name_keys(response, keys):
    response["xkey"] = " ".join(sorted(keys))
    response["Cache-Tag"] = ",".join(sorted(keys))


def mark_public(response, next_event, now):
    """Browsers revalidate every time; the edge keeps the page until the next scheduled time at most."""
    seconds = settings.EDGE_MAX_AGE
    if next_event is not None:
        seconds = min(seconds, int((next_event - now).total_seconds()))
    response["Surrogate-Control"] = f"max-age={seconds}" if seconds > 0 else "no-store"
    if "Cache-Control" in response:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    else:
        # What patch_cache_control writes on a response without one, less its parsing (once a hit).
        response["Cache-Control"] = PUBLIC_REVALIDATE
