"""Who may read the Content API (/api/), and how often: ApiAccessMiddleware.

A key comes as `?key=`, `Authorization: Key <key>` or `X-Api-Key: <key>`. CONTENT_API_KEY_REQUIRED
decides whether one must come; one that comes must be a known, unrevoked key, even when none is
required (a client with a revoked key should hear so, not be served as anonymous). `?key=` is taken
off the query before the views and the page cache see it: every key shares one cached response.

Throttling (content_api/throttling.py): per key, else per client address, at the rates
CONTENT_API_RATE_PER_KEY and CONTENT_API_RATE_PER_IP ("600/m"; empty: no limit).

A key's record is cached, so a request costs no query (unknown keys are cached too); it is dropped
whenever the key is saved (revoked) or deleted, so a revoke takes effect at once. `last_used` is
written at most once a minute per key: the cache's atomic add() elects the request that writes it,
and each process asks at most once a minute per key."""

import ipaddress
import time

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import JsonResponse, QueryDict
from django.utils import timezone

from .models import KEY_LENGTH, KEY_MARK, ApiKey, digest
from .throttling import rate_limit, seconds_refused

API_PREFIX = "/api/"
# Where ApiGate leaves its verdict (None: allowed, else the refusal) for ApiAccessMiddleware.
VERDICT_ENVIRON_KEY = "content_api.access.verdict"
KEY_PARAMETER = "key"
KEY_HEADER = "X-Api-Key"
KEY_HEADER_META = "HTTP_X_API_KEY"
AUTHORIZATION_SCHEME = "Key"
# How long a key's record is kept: it is dropped on every change, so this only bounds a missed drop
# (the cache away at the moment of a revoke).
RECORD_SECONDS = 300
# last_used is written at most this often per key.
LAST_USED_EVERY_SECONDS = 60
# A record for a key that does not exist (0 is no primary key).
UNKNOWN = 0
# The IPv6 addresses counted as one client: a /64, what one subscriber is usually given.
IPV6_CLIENT_PREFIX = 64
# {key pk: when this process last had last_used written or found written (time.monotonic())}.
_noted = {}


class ApiAccessMiddleware:
    """Before the page cache in MIDDLEWARE: refused and throttled requests are never served from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # CORS preflights never get here: CorsMiddleware, above, answers them.
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if VERDICT_ENVIRON_KEY in request.META:
            # ApiGate checked (and counted) this request before Django's handler: its verdict.
            refused = request.META.pop(VERDICT_ENVIRON_KEY)
            _drop_query_key(request)
        else:
            refused = check(request)
        return refused or self.get_response(request)


class ApiGate:
    """What the API's middleware do, for serve_hits_first (articles/page_cache/serving.py), which
    answers page-cache hits before Django's handler: the key and throttle check before a hit may be
    answered, and CorsMiddleware's headers on it (it sits above the page cache, so a stored answer
    has none of its own). A refused request is left to Django with the verdict, so that its answer
    has every middleware's headers and the throttle counts it once."""

    prefix = API_PREFIX

    def __init__(self):
        self._cors = CorsMiddleware(lambda request: None)

    def admit(self, request, environ):
        refused = check(request)
        environ[VERDICT_ENVIRON_KEY] = refused
        return refused is None

    def finish(self, request, response):
        if "HTTP_ORIGIN" not in request.META and "origin" in response.get("Vary", "").lower():
            # All CorsMiddleware does for a request without an Origin is add `Vary: origin`, which
            # the API's answers are stored with: most clients (servers, site builders) send none,
            # and its request.headers would cost such a hit a sixth of its time.
            return
        self._cors.add_response_headers(request, response)


def check(request):
    """None when the request may go on, else the 400, 401 or 429 answer."""
    sent = keys_sent(request)
    _drop_query_key(request)
    if len(set(sent.values())) > 1:
        return error(400, "BadRequestError", "Send one key, not several different ones.", " / ".join(sent))
    if not sent:
        if settings.CONTENT_API_KEY_REQUIRED:
            return error(
                401,
                "UnauthorizedError",
                f"A Content API key is required: send it as ?{KEY_PARAMETER}=, as "
                f"'Authorization: {AUTHORIZATION_SCHEME} <key>' or as '{KEY_HEADER}: <key>'.",
                KEY_PARAMETER,
            )
        return throttle(request, None)
    parameter, key = next(iter(sent.items()))
    pk = key_id(key)
    if pk is None:
        return throttle(request, None) or error(
            401, "UnauthorizedError", "Unknown or revoked Content API key.", parameter
        )
    note_use(pk)
    return throttle(request, pk)


def keys_sent(request):
    """{where it came from: the key} for each place a key was sent. From the environ itself:
    request.headers and request.GET are built from all of it, which costs a cached answer more
    than its lookup."""
    sent = {}
    meta = request.META
    scheme, _, credentials = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == AUTHORIZATION_SCHEME.lower() and credentials.strip():
        sent["Authorization"] = credentials.strip()
    if meta.get(KEY_HEADER_META, "").strip():
        sent[KEY_HEADER] = meta[KEY_HEADER_META].strip()
    if KEY_PARAMETER in meta.get("QUERY_STRING", "") and request.GET.get(KEY_PARAMETER):
        sent[KEY_PARAMETER] = request.GET[KEY_PARAMETER]
    return sent


def _drop_query_key(request):
    # The query string first: request.GET parses it, which a cached answer never needs otherwise.
    if KEY_PARAMETER not in request.META.get("QUERY_STRING", "") or KEY_PARAMETER not in request.GET:
        return
    query = request.GET.copy()
    del query[KEY_PARAMETER]
    request.META["QUERY_STRING"] = query.urlencode()
    request.GET = QueryDict(request.META["QUERY_STRING"])


def key_id(key):
    """The primary key of the active key `key`, or None: from the cache, else one query. What is not
    shaped like our keys is refused without either (nor does it fill the cache)."""
    if len(key) != KEY_LENGTH or not key.startswith(KEY_MARK):
        return None
    key_digest = digest(key)
    record_key = _record_key(key_digest)
    record = cache.get(record_key)
    if record is None:
        record = ApiKey.objects.active().filter(key_digest=key_digest).values_list("pk", flat=True).first()
        record = record or UNKNOWN
        cache.set(record_key, record, RECORD_SECONDS)
    return record or None


def note_use(pk):
    """Write last_used if no process has in the last minute. This process asks the cache only once
    a minute per key (a cache round trip is most of what a key costs a request)."""
    now = time.monotonic()
    if now - _noted.get(pk, -LAST_USED_EVERY_SECONDS) < LAST_USED_EVERY_SECONDS:
        return
    _noted[pk] = now
    if cache.add(_used_key(pk), True, LAST_USED_EVERY_SECONDS):
        ApiKey.objects.filter(pk=pk).update(last_used=timezone.now())


def _used_key(pk):
    return f"content-api:used:{pk}"


def throttle(request, pk):
    """The 429 when this key (or, with none, this client address) has used up its rate."""
    if pk is None:
        seconds = seconds_refused(settings.CONTENT_API_RATE_PER_IP, "address", _client_key(request))
    else:
        seconds = seconds_refused(settings.CONTENT_API_RATE_PER_KEY, "key", str(pk))
    if seconds is None:
        return None
    who, rate = (
        ("this key", settings.CONTENT_API_RATE_PER_KEY)
        if pk
        else ("this address", settings.CONTENT_API_RATE_PER_IP)
    )
    response = error(
        429,
        "TooManyRequestsError",
        f"Too many requests from {who}: at most {rate_limit(rate).amount} in this period.",
        KEY_PARAMETER if pk else None,
    )
    response["Retry-After"] = str(seconds)
    return response


def client_address(request):
    """The address a request without a key is counted against: the last one in
    CONTENT_API_CLIENT_ADDRESS_HEADER, the one our own proxy wrote, when it is set and valid, else the
    connection's."""
    header = settings.CONTENT_API_CLIENT_ADDRESS_HEADER
    if header:
        last = request.headers.get(header, "").rpartition(",")[2].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    # A WSGI server on a Unix socket, or a test client, may send no address: one shared count then.
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _client_key(request):
    """Who a request without a key is counted as: an IPv4 address, or the /64 network of an IPv6 one
    (a client usually has a whole /64, and could otherwise take a new address per request)."""
    address = client_address(request)
    if ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)


def error(status, kind, message, parameter):
    """A JSON error as the API's others are: Ghost's shape, with the parameter it is about."""
    details = {"type": kind, "message": message}
    if parameter:
        details["parameter"] = parameter
    response = JsonResponse({"errors": [details]}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = f'{AUTHORIZATION_SCHEME} realm="content-api"'
    response["Cache-Control"] = "no-store"
    return response


def _record_key(key_digest):
    return f"content-api:key:{key_digest}"


@receiver(post_save, sender=ApiKey)
@receiver(post_delete, sender=ApiKey)
def forget_record(sender, instance, **kwargs):
    """Drop the key's cached record now, and again on commit: a request between the two could
    otherwise cache the row as it was before this transaction."""
    record_key = _record_key(instance.key_digest)
    cache.delete(record_key)
    transaction.on_commit(lambda: cache.delete(record_key))
