"""Where the page cache meets requests: hits answered before Django's handler (serve_hits_first,
for gunicorn) or first in MIDDLEWARE (CachedPageMiddleware), pages stored once every middleware has
had its say, and the @cached_page views that name what they show."""

from functools import wraps

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control

from .. import surrogate_keys
from . import pages, state

# Where serve_hits_first() leaves a miss's lookup for CachedPageMiddleware (in the WSGI environ).
LOOKUP_ENVIRON_KEY = "articles.page_cache.lookup"


class CachedPageMiddleware:
    """First in MIDDLEWARE: answers a cached page before any other middleware runs, with the headers
    they all added to the render it replays (security, CSP, clickjacking, Vary, Content-Length, ETag)
    and a 304 when the visitor holds it already. A request that SecurityMiddleware would redirect to
    HTTPS, and static files, pass through.

    Pages get into the cache only through @cached_page views, which name the keys of what they show;
    they are stored here, once every middleware below has had its say."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A miss that serve_hits_first() looked up already: its lookup, not a second one.
        lookup = request.META.pop(LOOKUP_ENVIRON_KEY, None)
        if lookup is None and _answerable(request):
            lookup = pages.lookup(request)
            if lookup.response is not None:
                return _conditional(request, lookup.response)
        with pages.rendering(lookup):
            response = self.get_response(request)
        keys = getattr(response, "page_cache_keys", None)
        if not keys or not pages.shareable(response):
            # Only @cached_page views' answers may be kept by the edge; Varnish would keep anything
            # else without a lifetime (a 404 for an article about to be published) for its default TTL.
            response.setdefault("Surrogate-Control", "no-store")
            return response
        if lookup is not None and response.page_cache_store:
            next_event = pages.store(lookup, response, keys)
        else:
            next_event = state.next_scheduled(timezone.now())
        pages.mark_public(response, next_event, timezone.now())
        return response


def _answerable(request):
    """Whether the cache may answer: a visitor's GET (no session), not one that SecurityMiddleware
    would redirect to HTTPS, not a static file (WhiteNoise's)."""
    return (
        pages.cacheable(request)
        and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
        and not request.path.startswith(settings.STATIC_URL)
    )


def serve_hits_first(application, *, gates=()):
    """Django's WSGI application, with page-cache hits answered before it: without its handler,
    signals and response machinery, which cost more than the lookup itself (cms/wsgi.py). Exactly
    the answer CachedPageMiddleware gives; conditional requests, misses and anything else the cache
    does not answer go to Django, which answers them as it would have anyway.

    `gates` stand for the middleware above CachedPageMiddleware that some paths need (the Content
    API's keys, throttle and CORS: content_api.access.ApiGate). Each has a `prefix`, `admit(request,
    environ)`, which says whether the cache may answer and leaves its verdict in the environ for its
    middleware (so a request is checked and counted once), and `finish(request, response)`, which adds
    that middleware's headers to a hit."""

    def serve(environ, start_response):
        response = _hit_before_django(environ, gates)
        if response is None:
            return application(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    return serve


def _hit_before_django(environ, gates):
    if (
        environ.get("REQUEST_METHOD") != "GET"
        or "HTTP_IF_NONE_MATCH" in environ
        or "HTTP_IF_MATCH" in environ
    ):
        return None
    try:
        # On a copy: WSGIRequest writes the decoded path into the environ it is given, and Django's
        # own must read the path as the server wrote it (a UTF-8 slug would be decoded twice).
        request = WSGIRequest(environ.copy())
        if not _answerable(request):
            return None
        gate = next((gate for gate in gates if request.path_info.startswith(gate.prefix)), None)
        if gate is not None and not gate.admit(request, environ):
            return None
        lookup = pages.lookup(request)
    except Exception:
        # A Host not allowed, say: Django meets the same error again and answers it (a 400, a 500
        # page, logged) as it does for every request.
        return None
    environ[LOOKUP_ENVIRON_KEY] = lookup
    if lookup.response is not None and gate is not None:
        gate.finish(request, lookup.response)
    return lookup.response


def _conditional(request, response):
    """A 304 when the visitor holds this page already, as ConditionalGetMiddleware answers (with no
    Last-Modified, If-Modified-Since and If-Unmodified-Since play no part)."""
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MATCH" not in request.META:
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response)


def cached_page(view, *, keys=(), store=True):
    """Let CachedPageMiddleware serve the view's 200 responses from the cache for visitors without a
    session, and mark them for the edge, under the keys the view names (surrogate_keys.add) plus
    `keys`. store=False: only the edge keeps them (search: its addresses are endless and would push
    articles out of our cache). Responses to a visitor with a session are private."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        surrogate_keys.add(request, *keys)
        response = view(request, *args, **kwargs)
        if not pages.cacheable(request):
            patch_cache_control(response, private=True)
            response["Surrogate-Control"] = "no-store"
            return response
        named = surrogate_keys.of(request)
        if named:
            pages.name_keys(response, named)
            response.page_cache_keys = named
            response.page_cache_store = store
        return response

    return wrapper
