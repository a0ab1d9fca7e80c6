"""One attempt at a delivery: POST its payload, signed, to the webhook's checked address, and log it.

A 2xx answer delivers it. Anything else (another status, a timeout, a refused address) is a failed
attempt: the next one comes after an exponential backoff with full jitter (cms/backoff.py), until
WEBHOOK_MAX_ATTEMPTS have failed and the delivery is given up. Redirects are not followed (a
receiver that moved says so with a new URL in the admin) and at most RESPONSE_READ_BYTES of an
answer are read.
"""

import http.client
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from cms.backoff import backoff
from cms.outbound import PinnedConnection, RefusedAddress

from .models import Delivery, target_address
from .signing import signature_header

RESPONSE_READ_BYTES = 4096
# How much of a failed answer's body the log keeps.
RESPONSE_EXCERPT_CHARS = 200
USER_AGENT = "cms-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def body_of(delivery):
    """The exact bytes POSTed (and signed) for a delivery."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def headers_for(delivery, body, timestamp):
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": delivery.event_id,
        "X-Webhook-Event": delivery.kind,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": signature_header(delivery.webhook.secret, timestamp, body),
    }


def post(delivery: Delivery) -> Outcome:
    """POST the delivery once. Never raises for the receiver's sake: every failure is an Outcome."""
    started = time.monotonic()
    try:
        status_code, error = _post(delivery)
    except RefusedAddress as exc:
        status_code, error = None, f"address refused: {exc}"
    except TimeoutError as exc:
        status_code, error = None, f"no answer within {settings.WEBHOOK_TIMEOUT:g} s ({exc or 'timed out'})"
    except (OSError, http.client.HTTPException) as exc:
        status_code, error = None, f"could not be sent ({exc.__class__.__name__}: {exc})"
    return Outcome(status_code, error, round((time.monotonic() - started) * 1000))


def _post(delivery):
    url = delivery.webhook.url
    parts = urlsplit(url)
    connection = PinnedConnection(parts, target_address(url), timeout=settings.WEBHOOK_TIMEOUT)
    body = body_of(delivery)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers_for(delivery, body, int(time.time())))
        response = connection.getresponse()
        answer = response.read(RESPONSE_READ_BYTES)
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    if 300 <= response.status < 400:
        return response.status, f"answered {response.status}: redirects are not followed"
    excerpt = answer.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS]
    return response.status, f"answered {response.status}" + (f": {excerpt}" if excerpt else "")


def next_state(delivery, outcome, now=None):
    """(status, next attempt time) after `outcome`, given `delivery.attempts` counts it already."""
    if outcome.delivered:
        return Delivery.Status.DELIVERED, None
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return Delivery.Status.GIVEN_UP, None
    wait = backoff(
        delivery.attempts, base=settings.WEBHOOK_RETRY_BASE_SECONDS, cap=settings.WEBHOOK_RETRY_MAX_SECONDS
    )
    return Delivery.Status.PENDING, (now or timezone.now()) + timedelta(seconds=wait)
