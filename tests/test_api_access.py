"""Content API keys (content_api/access.py): keys required or not, unknown and revoked keys refused
with a JSON 401 naming where the key came from, one cached lookup per key, revokes at once,
last-used written at most once a minute. Throttling: tests/test_api_throttle.py."""

import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from content_api import access
from content_api.models import ApiKey

from . import api_access_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api_access_urls")]
URL = "/api/test/"


def make_key(name="App"):
    api_key = ApiKey(name=name)
    secret = api_key.set_new_key()
    api_key.save()
    return api_key, secret


def error_of(response):
    assert response["Content-Type"] == "application/json"
    (error,) = response.json()["errors"]
    return error


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.CONTENT_API_RATE_PER_KEY = settings.CONTENT_API_RATE_PER_IP = ""


def test_without_a_key_the_api_answers_when_keys_are_not_required(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = False
    assert client.get(URL).status_code == 200


def test_without_a_key_the_api_refuses_when_keys_are_required(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = True
    response = client.get(URL)
    assert response.status_code == 401
    assert error_of(response)["parameter"] == "key"
    assert response["WWW-Authenticate"].startswith("Key ")


@pytest.mark.parametrize("required", [False, True])
def test_a_key_is_accepted_as_query_authorization_or_header(client, settings, required):
    settings.CONTENT_API_KEY_REQUIRED = required
    _, secret = make_key()
    assert client.get(URL, {"key": secret}).status_code == 200
    assert client.get(URL, headers={"Authorization": f"Key {secret}"}).status_code == 200
    assert client.get(URL, headers={"X-Api-Key": secret}).status_code == 200


@pytest.mark.parametrize(
    ("send", "parameter"),
    [
        (lambda secret: {"data": {"key": secret}}, "key"),
        (lambda secret: {"headers": {"Authorization": f"Key {secret}"}}, "Authorization"),
        (lambda secret: {"headers": {"X-Api-Key": secret}}, "X-Api-Key"),
    ],
)
@pytest.mark.parametrize("required", [False, True])
def test_unknown_and_revoked_keys_are_refused_even_when_none_is_required(
    client, settings, send, parameter, required
):
    settings.CONTENT_API_KEY_REQUIRED = required
    api_key, secret = make_key()
    api_key.revoke()
    for refused in ("ck_made-up", secret):
        response = client.get(URL, **send(refused))
        assert response.status_code == 401, refused
        assert error_of(response)["parameter"] == parameter
        assert response["Cache-Control"] == "no-store"


def test_different_keys_in_one_request_are_refused(client):
    _, one = make_key()
    _, other = make_key()
    response = client.get(URL, {"key": one}, headers={"X-Api-Key": other})
    assert response.status_code == 400 and "key" in error_of(response)["parameter"]


def test_the_key_is_taken_off_the_query_the_views_and_page_cache_see(client):
    _, secret = make_key()
    api_access_urls.seen_queries.clear()
    response = client.get(URL, {"key": secret, "limit": "5"})
    assert response.json() == {"query": {"limit": "5"}}
    assert api_access_urls.seen_queries == ["limit=5"]


def test_a_known_key_costs_one_query_then_none(client, django_assert_num_queries):
    _, secret = make_key()
    with django_assert_num_queries(2):  # the key's row; last_used, written this once a minute
        client.get(URL, {"key": secret})
    with django_assert_num_queries(0):
        client.get(URL, {"key": secret})
    unknown = "ck_" + "x" * (len(secret) - 3)
    with django_assert_num_queries(1):  # an unknown key: looked up once, then remembered
        client.get(URL, {"key": unknown})
    with django_assert_num_queries(0):
        client.get(URL, {"key": unknown})
    with django_assert_num_queries(0):  # not even shaped like a key
        assert client.get(URL, {"key": "x" * 10_000}).status_code == 401


def test_a_revoke_takes_effect_at_once_despite_the_cache(client):
    api_key, secret = make_key()
    assert client.get(URL, {"key": secret}).status_code == 200  # now cached as valid
    ApiKey.objects.get(pk=api_key.pk).revoke()
    assert client.get(URL, {"key": secret}).status_code == 401


def test_a_deleted_key_is_refused_at_once(client):
    api_key, secret = make_key()
    assert client.get(URL, {"key": secret}).status_code == 200
    api_key.delete()
    assert client.get(URL, {"key": secret}).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(client, monkeypatch):
    api_key, secret = make_key()
    assert api_key.last_used is None
    client.get(URL, {"key": secret})
    api_key.refresh_from_db()
    first = api_key.last_used
    assert first is not None and timezone.now() - first < timezone.timedelta(seconds=5)
    client.get(URL, {"key": secret})
    api_key.refresh_from_db()
    assert api_key.last_used == first
    # A minute later: this process's memory of the write and the cache's marker have expired.
    a_minute_later = time.monotonic() + 61
    monkeypatch.setattr(access.time, "monotonic", lambda: a_minute_later)
    cache.delete(access._used_key(api_key.pk))
    client.get(URL, {"key": secret})
    api_key.refresh_from_db()
    assert api_key.last_used > first


def test_pages_outside_the_api_ignore_keys(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = True
    assert client.get("/blog/", {"key": "ck_made-up"}).status_code == 200


def test_a_cached_answer_is_no_way_around_a_revoke_or_a_required_key(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = True
    api_key, secret = make_key()
    assert client.get("/api/cached/", {"key": secret}).status_code == 200
    assert client.get("/api/cached/", {"key": secret}).status_code == 200  # from the page cache
    assert client.get("/api/cached/").status_code == 401
    api_key.revoke()
    assert client.get("/api/cached/", {"key": secret}).status_code == 401
