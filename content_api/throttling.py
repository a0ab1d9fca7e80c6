"""How often a client may read the Content API: fixed-window counters kept by the `limits` library
(the one Flask-Limiter and slowapi are built on), per key or per client address.

The counters live where CONTENT_API_THROTTLE_STORAGE says (a `limits` storage URL; cms/settings.py
sets it from CACHE_URL): in Redis, one INCR-with-expiry script a request, atomic and shared by every
worker; otherwise in each process's memory. django-ratelimit, used before, paid two round trips
(add, then incr) and a SHA-256 key through Django's cache for the same count: 142 µs a request on
Redis against 63 µs, 15 µs in memory against 2 µs, most of what a cached API answer cost beyond a
cached page (bench/README.md, "The Content API's throttle").

A rate is "count/period": "600/m", "10/s", "5000/h", "100/d", or "100/5m" (a period of five
minutes); empty is no limit. Should the storage be away, requests are let through, as pages are
served uncached then, not refused."""

import logging
import re
import time
from contextlib import suppress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

logger = logging.getLogger(__name__)

RATE = re.compile(r"^\s*(?P<count>\d+)\s*/\s*(?P<multiple>\d*)\s*(?P<unit>[smhd])\s*$", re.IGNORECASE)
PERIODS = {
    "s": RateLimitItemPerSecond,
    "m": RateLimitItemPerMinute,
    "h": RateLimitItemPerHour,
    "d": RateLimitItemPerDay,
}
# Where counts may live: Redis (shared by every worker) or each process's memory.
REDIS_SCHEMES = ("redis://", "rediss://")
STORAGE_SCHEMES = (*REDIS_SCHEMES, "memory://")
# A Redis that does not answer within this costs a request no more than this (then it is let through).
STORAGE_TIMEOUT_SECONDS = 0.5
# How often a process's memory storage drops the counters of windows that have ended.
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, whose ended windows are dropped inline at most once a SWEEP_SECONDS.
    Its own starts a timer thread whenever the last one has run, so every 10 ms under load: that
    cost a cached API answer about 24 µs of a gunicorn worker's CPU, 8% of the request (bench/
    README.md, "The Content API's throttle"). A counter read after its window ends is dropped when
    read, as before; the sweep only bounds the memory of clients that do not come back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # Replaces MemoryStorage.__schedule_expiry (name-mangled), which each count calls.
    def _MemoryStorage__schedule_expiry(self):
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()


@lru_cache(maxsize=16)
def rate_limit(rate):
    """The `limits` item for a rate setting ("600/m"), or None for no limit."""
    if not rate:
        return None
    match = RATE.match(rate)
    if not match or int(match["count"]) < 1:
        raise ImproperlyConfigured(
            f"A Content API rate must be 'count/period' with a period of s, m, h or d "
            f"(e.g. '600/m', '100/5m'), not {rate!r}."
        )
    return PERIODS[match["unit"].lower()](int(match["count"]), int(match["multiple"] or 1))


@lru_cache(maxsize=1)
def limiter():
    """This process's limiter, made at its first request (never in a parent that forks workers: a
    memory storage keeps a timer thread)."""
    url = settings.CONTENT_API_THROTTLE_STORAGE
    options = {"wrap_exceptions": True}
    if url.startswith(REDIS_SCHEMES):
        options.update(
            key_prefix=f"{settings.CACHE_KEY_PREFIX}:throttle",
            socket_timeout=STORAGE_TIMEOUT_SECONDS,
            socket_connect_timeout=STORAGE_TIMEOUT_SECONDS,
        )
    storage = SweptMemoryStorage() if url.startswith("memory://") else storage_from_string(url, **options)
    return FixedWindowRateLimiter(storage)


def seconds_refused(rate, *identity):
    """Count one request of `identity` (e.g. "key", "12") against `rate`: None when it is within the
    rate, else how many seconds are left until the window ends (for Retry-After)."""
    item = rate_limit(rate)
    if item is None:
        return None
    try:
        if limiter().hit(item, *identity):
            return None
        reset_at = limiter().get_window_stats(item, *identity).reset_time
    except StorageError:
        logger.warning("The Content API's throttle storage is away: a request let through uncounted")
        return None
    return max(1, int(reset_at - time.time() + 0.999))


def forget_counts():
    """Every count dropped, if this process has counted any (tests: the memory storage outlives a
    test). On Redis only the keys of this key prefix go, never a shared database."""
    if not limiter.cache_info().currsize:
        return
    # A storage that is away holds nothing this process could drop.
    with suppress(StorageError):
        limiter().storage.reset()
