"""How long to wait before trying again work that failed: a publishing receiver
(publishing/delivery.py) or a webhook POST (webhooks/sending.py), each with its own settings."""

import random

# 2**64 times any base is past any cap; a larger exponent would only risk a float overflow.
MAX_DOUBLINGS = 64


def backoff(failures, *, base, cap):
    """Seconds to wait after `failures` (1 or more) failed attempts: a random wait between 0 and
    base × 2^(failures − 1), at most `cap`. The full jitter of AWS's "Exponential Backoff and
    Jitter": a receiver coming back is not hit by every retry at once."""
    return random.uniform(0, min(cap, base * 2 ** min(failures - 1, MAX_DOUBLINGS)))
