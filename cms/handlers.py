"""Django's WSGI handler per part of the site: the Content API's requests (/api/) run
settings.API_MIDDLEWARE, the rest settings.MIDDLEWARE (cms/wsgi.py routes them).

The API needs none of the middleware that only the site's pages use (sessions, CSRF, users, messages,
the admin's lockout and history, static files, old-path redirects: SITE_ONLY_MIDDLEWARE), yet each
layer costs every request that reaches Django, and an API miss is such a request: the eight layers
were 85 us of each (6-8%: bench/README.md, "The Content API's own handler").
API_MIDDLEWARE is MIDDLEWARE less those, in the same order, so a middleware added later runs for the
API too unless it is named site-only. The test client runs MIDDLEWARE for every path;
tests/test_page_cache_wsgi.py checks that both answer the API's requests alike."""

from contextlib import contextmanager

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class _HandlerWithMiddleware(WSGIHandler):
    def __init__(self, middleware):
        self._middleware = list(middleware)
        super().__init__()

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE and takes no list: it reads this one, once,
        # as the handler is made (at start-up, before any request).
        with _middleware_setting(self._middleware):
            super().load_middleware(is_async)


@contextmanager
def _middleware_setting(middleware):
    site_middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        yield
    finally:
        settings.MIDDLEWARE = site_middleware


def api_application():
    """A WSGI application that runs settings.API_MIDDLEWARE around Django's views."""
    return _HandlerWithMiddleware(settings.API_MIDDLEWARE)


def by_path(default, prefixes):
    """A WSGI application answering with prefixes[p] the requests whose path starts with p, and with
    `default` the rest."""
    routes = tuple(prefixes.items())

    def route(environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, application in routes:
            if path.startswith(prefix):
                return application(environ, start_response)
        return default(environ, start_response)

    return route
