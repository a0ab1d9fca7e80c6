"""Hits answered before Django's handler (page_cache.serve_hits_first, what gunicorn serves:
cms.wsgi.application): the same answer as the middleware's, without Django's request machinery; the
rest (misses, conditional requests, editors, hosts not allowed) answered by Django as before."""

import io
import sys

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

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
def keep_the_test_connection():
    """Django's handler closes stale database connections as each request starts and ends; the test's
    transaction lives on one, so it is kept, as the test client keeps it (on PostgreSQL it was closed)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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


@pytest.mark.urls("tests.api_access_urls")
def test_api_requests_always_reach_django_for_their_key_and_throttle(db, django_requests, settings):
    from content_api.models import ApiKey

    settings.CONTENT_API_KEY_REQUIRED = True
    api_key = ApiKey(name="App")
    secret = api_key.set_new_key()
    api_key.save()
    assert _get("/api/cached/", f"key={secret}")[0] == 200
    assert _get("/api/cached/", f"key={secret}")[0] == 200  # stored now
    assert _get("/api/cached/")[0] == 401
    assert django_requests == ["/api/cached/"] * 3
