"""Whole-page caching for the reader's pages, invalidated exactly when content changes.

Every cached page is stored with the current *content version*, a token replaced whenever an
article, author or tag is saved or deleted (signals.py; the importer and the admin both save), and
served only while the version is still current, so a change makes every old page stale at once.
Scheduled publishing and expiry change what is public without a save: each page is cached only
until the next publish or expiry time, which is worked out when the version changes (at save time),
not per request. Responses carry an ETag (ConditionalGetMiddleware answers 304) and
`max-age=0, must-revalidate`, so no browser or proxy copy outlives a change either.

The version and the next event time are the *state*. Losing it makes every page stale and costs a
query, so it lives where culling pages cannot drop it: in the PAGE_STATE_CACHE cache when CACHES has
one (file and local-memory caches, cms/settings.py), else with the pages (Redis, where it has no
expiry and is read in the same round trip as the page). Anything else the invalidation needs to
keep (per-page versions, say) belongs in that same state cache, never among the pages.

Requests with a session cookie (editors, staff previews) bypass the cache, and a cache that is
away (Redis down) simply means uncached pages."""

import hashlib
import secrets
import threading
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag

STATE_KEY = "pages:state"
_deferral = threading.local()


def content_changed():
    """Make every cached page stale; remember when the next scheduled change is due."""
    if getattr(_deferral, "depth", 0):
        _deferral.pending = True
        return
    _state_cache().set(STATE_KEY, {"version": secrets.token_hex(8), "next_event": _next_event()}, None)


# The seam with the publish events (publishing/outbox.py calls invalidate() in the web process, and
# PUBLISHING_RECEIVERS names invalidate_change for the worker). Until pages are invalidated per
# surrogate key, any change makes every page stale.
def invalidate(keys):
    """Make the cached pages that carry any of these surrogate keys stale."""
    if keys:
        content_changed()


def invalidate_change(change):
    """The page-cache receiver of publish events."""
    invalidate(change.keys)


@contextmanager
def one_change():
    """Within this block (an import of many files), changes make pages stale once, at the end."""
    _deferral.depth = getattr(_deferral, "depth", 0) + 1
    try:
        yield
    finally:
        _deferral.depth -= 1
        if not _deferral.depth and getattr(_deferral, "pending", False):
            _deferral.pending = False
            content_changed()


def _state(state):
    """The current state, given what the cache held (None when it held nothing)."""
    if state is None or (state["next_event"] is not None and state["next_event"] <= timezone.now()):
        # Lost (eviction, a fresh cache) or a scheduled time has passed: a new version, so that no page
        # from before the publish or expiry is served after it, whatever the cache server's clock says.
        state = {"version": secrets.token_hex(8), "next_event": _next_event()}
        _state_cache().set(STATE_KEY, state, None)
    return state


def _state_cache():
    """The cache that holds the state: PAGE_STATE_CACHE when CACHES has it, else the pages' own."""
    return caches[settings.PAGE_STATE_CACHE] if settings.PAGE_STATE_CACHE in settings.CACHES else cache


def _read(key):
    """(the stored state, the stored page) or None for either: one round trip (MGET on Redis) when
    the state lives with the pages."""
    if settings.PAGE_STATE_CACHE in settings.CACHES:
        return caches[settings.PAGE_STATE_CACHE].get(STATE_KEY), cache.get(key)
    found = cache.get_many([STATE_KEY, key])
    return found.get(STATE_KEY), found.get(key)


def _next_event():
    from .models import Article, Status

    now = timezone.now()
    upcoming = Article.objects.filter(status=Status.PUBLISHED).aggregate(
        publish=Min("published", filter=Q(published__gt=now)),
        expire=Min("expires", filter=Q(expires__gt=now)),
    )
    times = [moment for moment in upcoming.values() if moment is not None]
    return min(times) if times else None


def _timeout(state):
    seconds = settings.PAGE_CACHE_SECONDS
    if state["next_event"] is not None:
        seconds = min(seconds, int((state["next_event"] - timezone.now()).total_seconds()))
    return seconds


def _cacheable(request):
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _lookup(request):
    """(state, key, the cached response or None) for this request's address."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    key = f"pages:{hashlib.sha256(address.encode()).hexdigest()}"
    stored_state, cached = _read(key)
    state = _state(stored_state)
    # A page from another version is stale.
    if cached is None or cached[0] != state["version"]:
        return state, key, None
    _, content, headers = cached
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return state, key, response


class CachedPageMiddleware:
    """Answers a cached page before the session, auth, CSRF and admin middleware run (a visitor's
    page needs none of them); the security, CSP and ETag middleware above it still apply. Pages get
    into the cache through @cached_page views only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _cacheable(request):
            # Kept on the request: on a miss, the @cached_page view stores under this lookup's state and
            # key instead of asking the cache a second time.
            request.page_cache_lookup = _lookup(request)
            if request.page_cache_lookup[2] is not None:
                return request.page_cache_lookup[2]
        return self.get_response(request)


def cached_page(view):
    """Serve the view's 200 responses from the cache for visitors without a session."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        state, key, response = getattr(request, "page_cache_lookup", None) or _lookup(request)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()  # a TemplateResponse (the sitemap) is cached as its rendered bytes
            timeout = _timeout(state)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and "private" not in response.get("Cache-Control", "")
                and timeout > 0
            ):
                # The ETag once, here, not per hit (ConditionalGetMiddleware uses it for 304s); bytes
                # and headers rather than a pickled response object, which is slower to load.
                set_response_etag(response)
                cache.set(key, (state["version"], response.content, list(response.items())), timeout)
            if "private" not in response.get("Cache-Control", ""):
                patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
