"""Hits answered before Django's handler (page_cache.serve_hits_first, what gunicorn serves:
cms.wsgi.application): the same answer as the middleware's, without Django's request machinery; the
rest (misses, conditional requests, editors, hosts not allowed) answered by Django as before."""

import io
import sys

import pytest
from django.core.signals import request_started

from cms.wsgi import application

from .factories import make_article


def _get(path, query="", **headers):
    """(status, headers as a dict, body) of a GET through the WSGI application, as from the TLS
    terminator (X-Forwarded-Proto: https)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    answered = []
    body = b"".join(
        application(environ, lambda status, headers, exc_info=None: answered.append((status, headers)))
    )
    status, header_list = answered[0]
    return int(status.split()[0]), dict(header_list), body


@pytest.fixture(autouse=True)
def _keep_the_test_connection(wsgi_requests_keep_the_test_connection):
    pass


@pytest.fixture
def django_requests():
    """The requests that reached Django's handler from now on."""
    seen = []

    def count(**kwargs):
        seen.append(kwargs["environ"]["PATH_INFO"].encode("latin-1").decode())

    request_started.connect(count)
    yield seen
    request_started.disconnect(count)


@pytest.mark.parametrize("slug", ["a", "中文-长恨歌"])
def test_a_hit_is_answered_before_django_exactly_as_the_render(db, django_requests, slug):
    make_article(slug=slug, title="Served early")
    # As a WSGI server writes it: the path's UTF-8 bytes, each one a character.
    path = f"/blog/{slug}".encode().decode("latin-1")
    rendered = _get(path)
    assert django_requests == [f"/blog/{slug}"]
    hit = _get(path)
    assert django_requests == [f"/blog/{slug}"], "the hit went through Django's handler"
    assert hit == rendered
    assert hit[0] == 200 and b"Served early" in hit[2]
    assert hit[1]["Strict-Transport-Security"] and hit[1]["Content-Security-Policy"]


def test_a_change_is_seen_by_the_early_answer_at_once(db):
    article = make_article(slug="a", title="Before")
    _get("/blog/a")
    article.title = "After"
    article.save()
    assert b"After" in _get("/blog/a")[2]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-None-Match": "ETAG"}, 304),  # conditional: Django's ConditionalGetMiddleware path
        ({"Cookie": "sessionid=an-editor"}, 200),  # an editor: never the cached page
        ({"Host": "evil.example"}, 400),  # a Host not allowed: Django's answer
    ],
)
def test_what_the_early_answer_does_not_serve_django_answers(db, django_requests, headers, status):
    make_article(slug="a")
    etag = _get("/blog/a")[1]["ETag"]
    headers = {name: etag if value == "ETAG" else value for name, value in headers.items()}
    django_requests.clear()
    answer = _get("/blog/a", **headers)
    assert answer[0] == status
    assert django_requests == ["/blog/a"]
    if "Cookie" in headers:
        assert "private" in answer[1]["Cache-Control"]


def test_a_miss_is_looked_up_once(db, monkeypatch):
    from articles.page_cache import pages

    make_article(slug="a")
    lookups = []
    lookup = pages.lookup
    monkeypatch.setattr(pages, "lookup", lambda request: lookups.append(request.path) or lookup(request))
    _get("/blog/a")
    assert lookups == ["/blog/a"]
    _get("/blog/a")
    assert lookups == ["/blog/a", "/blog/a"]


def _api_key():
    from content_api.models import ApiKey

    api_key = ApiKey(name="App")
    secret = api_key.set_new_key()
    api_key.save()
    return api_key, secret


@pytest.mark.urls("tests.api_access_urls")
def test_api_hits_are_answered_before_django_once_their_key_is_checked(db, django_requests, settings):
    settings.CONTENT_API_KEY_REQUIRED = True
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    api_key, secret = _api_key()
    origin = {"Origin": "https://app.example"}
    rendered = _get("/api/cached/", f"key={secret}", **origin)
    hit = _get("/api/cached/", f"key={secret}", **origin)
    assert django_requests == ["/api/cached/"], "the hit went through Django's handler"
    assert hit == rendered and hit[0] == 200
    # CorsMiddleware sits above the page cache: the early answer adds its headers as it would.
    headers = {name.lower(): value for name, value in hit[1].items()}
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert "origin" in headers["vary"].lower()
    # Refused requests are Django's to answer, cached answer or not.
    assert _get("/api/cached/")[0] == 401
    api_key.revoked = True
    api_key.save()
    assert _get("/api/cached/", f"key={secret}")[0] == 401
    assert django_requests == ["/api/cached/"] * 3


@pytest.mark.parametrize("origin", [None, "https://app.example", "https://elsewhere.example"])
def test_content_api_hits_carry_what_cors_would_add_with_or_without_an_origin(
    db, django_requests, settings, origin
):
    """Without an Origin header the early answer skips CorsMiddleware: the stored answer already
    varies by Origin, all it would add. With one, CorsMiddleware's own headers are added."""
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    make_article(slug="served-early")
    path = "/api/v1/articles/served-early/"
    headers = {"Origin": origin} if origin else {}
    rendered = _get(path, **headers)
    hit = _get(path, **headers)
    assert django_requests == [path], "the hit went through Django's handler"
    assert hit == rendered and hit[0] == 200
    hit_headers = {name.lower(): value for name, value in hit[1].items()}
    assert hit_headers["vary"].lower().split(", ").count("origin") == 1
    allowed = hit_headers.get("access-control-allow-origin")
    assert allowed == ("https://app.example" if origin == "https://app.example" else None)


# Hourly rates: a window ending between two of the test's requests would reset its count.
@pytest.mark.urls("tests.api_access_urls")
@pytest.mark.parametrize("with_key", [False, True])
def test_an_api_request_is_counted_once_whoever_answers_it(db, settings, with_key):
    settings.CONTENT_API_RATE_PER_IP = settings.CONTENT_API_RATE_PER_KEY = "3/h"
    query = f"key={_api_key()[1]}" if with_key else ""
    # A miss (Django answers), two hits (answered early), then the fourth request is over the rate.
    assert [_get("/api/cached/", query)[0] for _ in range(4)] == [200, 200, 200, 429]


API_REQUESTS = [
    ("/api/v1/articles/", "include=author,tags"),
    ("/api/v1/articles/a/", ""),
    ("/api/v1/articles/missing/", ""),
    ("/api/v1/articles/", "limit=0"),
    ("/api/v1/articles", ""),  # CommonMiddleware's APPEND_SLASH
    ("/api/v1/schema", ""),
    ("/api/v1/docs", ""),
]


@pytest.mark.parametrize(("path", "query"), API_REQUESTS)
def test_the_api_handler_answers_as_the_whole_middleware_does(db, client, settings, path, query):
    """The Content API's requests reach a handler that runs API_MIDDLEWARE (cms/handlers.py); the
    test client runs MIDDLEWARE. Both give the same answer, headers and all."""
    from django.core.cache import cache

    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    make_article(slug="a", title="Both ways")
    origin = {"Origin": "https://app.example"}
    status, headers, body = _get(path, query, **origin)
    cache.clear()
    whole = client.get(
        f"{path}?{query}",
        HTTP_HOST="testserver",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_ORIGIN=origin["Origin"],
    )
    assert status == whole.status_code
    assert body == whole.content
    assert headers == dict(whole.items())


def test_the_api_runs_none_of_the_site_only_middleware(db, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.csrf import CsrfViewMiddleware

    seen = []
    for middleware in (SessionMiddleware, CsrfViewMiddleware):
        process_request = middleware.process_request
        monkeypatch.setattr(
            middleware,
            "process_request",
            lambda self, request, process_request=process_request: (
                seen.append((type(self).__name__, request.path)) or process_request(self, request)
            ),
        )
    make_article(slug="a")
    assert _get("/api/v1/articles/a/")[0] == 200
    assert _get("/api/v1/articles/", "limit=1")[0] == 200
    assert seen == []
    assert _get("/blog/a")[0] == 200
    assert seen == [("SessionMiddleware", "/blog/a"), ("CsrfViewMiddleware", "/blog/a")]
