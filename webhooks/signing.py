"""Webhook signatures, Stripe's scheme: HMAC-SHA256 with the webhook's secret over
"<unix timestamp>.<raw body>", sent as `X-Webhook-Signature: t=<timestamp>,v1=<hex digest>`.

The timestamp is inside the signed bytes, so a receiver that refuses old timestamps refuses replays
(README: "Webhooks" shows a receiver's check).
"""

import hashlib
import hmac


def signature(secret, timestamp, body):
    """The hex HMAC-SHA256 of "<timestamp>.<body>" (body: the exact bytes sent)."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, timestamp, body):
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"
