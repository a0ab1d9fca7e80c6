"""Content API throttling (content_api/throttling.py): 429s with Retry-After per key and per client
address, counts kept in Redis shared by every worker (or in each process's memory), requests let
through when the storage is away, and bad rates refused at startup."""

import logging
import threading
import time
import uuid

import pytest
import redis
from django.core.checks import run_checks
from django.test import override_settings

from cms.settings import throttle_storage
from content_api import throttling

from .test_api_access import URL, error_of, make_key
from .tooling import free_port, require

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api_access_urls")]
REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.CONTENT_API_RATE_PER_KEY = settings.CONTENT_API_RATE_PER_IP = ""


@pytest.fixture
def throttle_storage_at(settings):
    """Point the throttle at a storage URL, as a worker started with it would be; its counts of this
    test's own key prefix are dropped afterwards."""
    settings.CACHE_KEY_PREFIX = f"test-throttle-{uuid.uuid4().hex[:8]}"

    def point(url):
        settings.CONTENT_API_THROTTLE_STORAGE = url
        throttling.limiter.cache_clear()

    yield point
    try:
        throttling.forget_counts()
    finally:
        throttling.limiter.cache_clear()


def redis_available():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


# Hourly rates in these tests: a window ending between two of a test's requests would reset its count.
@override_settings(CONTENT_API_RATE_PER_IP="3/h")
def test_requests_without_a_key_are_throttled_per_address(client):
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(URL)
    assert response.status_code == 429
    assert 3590 <= int(response["Retry-After"]) <= 3600
    assert error_of(response) == {
        "type": "TooManyRequestsError",
        "message": "Too many requests from this address: at most 3 in this period.",
    }
    assert client.get(URL, REMOTE_ADDR="10.1.2.3").status_code == 200  # another address


@override_settings(CONTENT_API_RATE_PER_IP="2/h")
def test_requests_with_no_address_share_one_count_and_are_no_error(client):
    """A WSGI server on a Unix socket (or a WSGI test client) may send no REMOTE_ADDR."""
    answers = [client.get(URL, REMOTE_ADDR="").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@override_settings(CONTENT_API_RATE_PER_IP="2/h")
def test_an_ipv6_client_is_counted_by_its_64_network(client):
    """A client is usually given a whole /64: one new address per request must not reset its count."""
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:2::1").status_code == 200
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 200
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:2::77").status_code == 429
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200  # another network


@override_settings(CONTENT_API_RATE_PER_KEY="2/h", CONTENT_API_RATE_PER_IP="100/h")
def test_requests_with_a_key_are_throttled_per_key(client):
    _, secret = make_key()
    _, other = make_key()
    assert [client.get(URL, {"key": secret}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(URL, {"key": secret}, REMOTE_ADDR="10.9.9.9").status_code == 429  # anywhere
    assert error_of(client.get(URL, {"key": secret}))["parameter"] == "key"
    assert client.get(URL, {"key": other}).status_code == 200
    assert client.get(URL).status_code == 200  # the address's own count is apart


def test_no_rate_means_no_limit(client):
    assert {client.get(URL).status_code for _ in range(30)} == {200}


@override_settings(CONTENT_API_RATE_PER_IP="2/5m")
def test_a_rate_may_count_over_several_units(client):
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert 290 <= int(client.get(URL)["Retry-After"]) <= 300


@override_settings(CONTENT_API_RATE_PER_IP="1/h", CONTENT_API_CLIENT_ADDRESS_HEADER="X-Forwarded-For")
def test_behind_a_proxy_the_address_it_added_is_counted_not_one_the_client_wrote(client):
    def status(forwarded):
        return client.get(URL, headers={"X-Forwarded-For": forwarded}).status_code

    assert status("203.0.113.7") == 200
    assert status("198.51.100.1, 203.0.113.7") == 429  # a made-up address in front changes nothing
    assert status("203.0.113.8") == 200
    assert status("not-an-address") == 200  # unreadable: the connection's address, counted apart


@override_settings(CONTENT_API_RATE_PER_IP="3/h")
def test_on_redis_every_worker_shares_one_count(client, throttle_storage_at):
    require(redis_available(), "Redis at 127.0.0.1:6379")
    throttle_storage_at(REDIS_URL)
    assert [client.get(URL).status_code for _ in range(2)] == [200, 200]
    throttling.limiter.cache_clear()  # another worker: a limiter of its own, the same Redis
    assert [client.get(URL).status_code for _ in range(2)] == [200, 429]


@override_settings(CONTENT_API_RATE_PER_IP="1/h")
def test_a_throttle_storage_that_is_away_lets_requests_through(client, throttle_storage_at, caplog):
    throttle_storage_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="content_api.throttling"):
        assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert "throttle storage is away" in caplog.text


def test_counting_in_memory_starts_no_thread_per_request(monkeypatch):
    """limits' own memory storage starts a timer thread whenever the last one has run (every 10 ms
    under load): about 8% of a cached answer's CPU in a gunicorn worker."""
    started = []

    class CountedTimer(threading.Timer):
        def start(self):
            started.append(self)
            super().start()

    monkeypatch.setattr(threading, "Timer", CountedTimer)
    storage = throttling.SweptMemoryStorage()
    before = len(started)
    for _ in range(3):
        time.sleep(0.015)  # longer than limits' timer interval: its storage would start a new one
        storage.incr("address/127.0.0.1", expiry=60)
    assert len(started) == before
    assert storage.get("address/127.0.0.1") == 3


def test_counters_of_ended_windows_are_swept_from_memory(monkeypatch):
    monkeypatch.setattr(throttling, "SWEEP_SECONDS", 0.0)
    storage = throttling.SweptMemoryStorage()
    storage.timer.join()  # limits' first timer, started with the storage, has run
    storage.incr("address/192.0.2.1", expiry=0.01)  # a client that never comes back
    time.sleep(0.02)
    storage.incr("address/192.0.2.2", expiry=60)
    assert dict(storage.storage) == {"address/192.0.2.2": 1}


@pytest.mark.parametrize(
    ("cache_url", "storage"),
    [
        ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
        ("rediss://cache.example.com:6380/0", "rediss://cache.example.com:6380/0"),
        ("rediscache://127.0.0.1:6379/1", "redis://127.0.0.1:6379/1"),
        ("filecache:///srv/cms/cache", "memory://"),
        ("locmemcache://", "memory://"),
    ],
)
def test_counts_live_in_the_pages_redis_else_in_each_process(cache_url, storage):
    assert throttle_storage(cache_url) == storage


def test_a_bad_rate_or_storage_is_refused_at_startup(settings):
    settings.CONTENT_API_RATE_PER_KEY = "600/minute"
    settings.CONTENT_API_THROTTLE_STORAGE = "memcached://127.0.0.1:11211"
    errors = {error.id: error.msg for error in run_checks()}
    assert errors["content_api.E001"].startswith("CONTENT_API_RATE_PER_KEY: A Content API rate must be")
    assert "'600/minute'" in errors["content_api.E001"]
    assert "memcached://" in errors["content_api.E002"]
