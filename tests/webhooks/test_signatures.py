"""A receiver can prove a delivery came from us, unchanged and recent, with the README's recipe."""

import re
import time
from pathlib import Path

import pytest

from webhooks.receivers import notify

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def verify():
    """The `verify` function of the README's Webhooks section, run as a receiver would copy it."""
    section = README.read_text(encoding="utf-8").split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    namespace = {}
    exec(code, namespace)  # the documented recipe itself, so the README cannot drift from what we send
    return namespace["verify"]


@pytest.fixture
def delivered(receiver, make_webhook, make_change, run_tasks):
    """(secret, headers, raw body) of one delivery received."""
    webhook = make_webhook(receiver.url)
    notify(make_change())
    run_tasks(due_only=False)
    ((headers, body),) = receiver.requests
    return webhook.secret, headers, body


def test_the_documented_recipe_verifies_a_delivery(delivered, verify):
    secret, headers, body = delivered
    assert verify(secret, headers["X-Webhook-Signature"], body)
    assert headers["X-Webhook-Signature"].startswith(f"t={headers['X-Webhook-Timestamp']},v1=")


def test_a_wrong_secret_fails(delivered, verify):
    secret, headers, body = delivered
    assert not verify(secret + "x", headers["X-Webhook-Signature"], body)


def test_a_changed_body_fails(delivered, verify):
    secret, headers, body = delivered
    assert not verify(secret, headers["X-Webhook-Signature"], body.replace(b"article", b"articlf", 1))


def test_a_changed_timestamp_fails(delivered, verify):
    secret, headers, body = delivered
    timestamp = int(headers["X-Webhook-Timestamp"])
    forged = headers["X-Webhook-Signature"].replace(f"t={timestamp}", f"t={timestamp + 1}")
    assert not verify(secret, forged, body)


def test_an_old_delivery_replayed_fails(delivered, verify, monkeypatch):
    secret, headers, body = delivered
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    assert not verify(secret, headers["X-Webhook-Signature"], body)
