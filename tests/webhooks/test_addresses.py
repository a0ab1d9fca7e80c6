"""Webhook targets are checked like --fetch-images addresses (cms/outbound.py, checked_url_address):
public only unless allowed, on save and again at each send, and the connection goes to the address
that was checked."""

import socket

import pytest
from django.core.exceptions import ValidationError

from cms import outbound
from webhooks.models import Delivery, Webhook
from webhooks.receivers import notify


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "https://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_a_private_target_is_refused_on_save(db, settings, url):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError) as refused:
        Webhook(name="x", url=url, events=["site.changed"]).full_clean()
    (message,) = refused.value.message_dict["url"]
    assert (
        message.startswith("This address is refused: its host")
        and "private, loopback or link-local" in message
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/hook", "only http and https addresses are allowed"),
        ("http:///hook", "it names no host"),
        ("http://example.com:port/hook", "it is not a valid address"),
        ("http://[::1/hook", "it is not a valid address"),
    ],
)
def test_only_an_http_url_with_a_host_is_looked_up(monkeypatch, url, reason):
    def getaddrinfo(*args, **kwargs):
        raise AssertionError("looked up")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(outbound.RefusedAddress, match=reason):
        outbound.checked_url_address(url, [])


def test_an_allowed_network_is_accepted(db, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    Webhook(name="x", url="http://127.0.0.1:8000/hook", events=["site.changed"]).full_clean()


def test_a_target_made_private_after_saving_fails_at_send_time(
    receiver, make_webhook, make_change, run_tasks, settings
):
    make_webhook(receiver.url)
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    notify(make_change())
    run_tasks(due_only=False)
    assert receiver.requests == []
    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.status_code is None
    assert attempt.error == (
        "address refused: its host '127.0.0.1' is a private, loopback or link-local address (127.0.0.1)"
    )


def _resolving(monkeypatch, names):
    """Make getaddrinfo answer `names` ({host: [addresses], or a list of such lists, one per lookup,
    the last repeated}) and resolve everything else as before."""
    real = socket.getaddrinfo
    lookups = {
        host: iter(answers) if isinstance(answers[0], list) else None for host, answers in names.items()
    }

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        if lookups[host] is not None:
            names[host] = next(lookups[host], names[host])
        addresses = names[host]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)


def test_every_address_of_a_host_must_be_public(db, settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    _resolving(monkeypatch, {"mixed.example": ["93.184.215.14", "10.0.0.1"]})
    with pytest.raises(ValidationError) as refused:
        Webhook(name="x", url="https://mixed.example/hook", events=["site.changed"]).full_clean()
    assert "(10.0.0.1)" in refused.value.message_dict["url"][0]


def test_the_connection_goes_to_the_checked_address(
    receiver, make_webhook, make_change, run_tasks, monkeypatch
):
    """DNS rebinding: the name answers the receiver's address to the check, then another one where
    nobody listens; the POST still reaches the receiver, with the name as its Host."""
    port = receiver.url.split(":")[2].split("/")[0]
    _resolving(monkeypatch, {"hooks.example": [["127.0.0.1"], ["127.0.0.2"]]})
    make_webhook(f"http://hooks.example:{port}/hook")
    notify(make_change())
    run_tasks(due_only=False)
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
    ((headers, _body),) = receiver.requests
    assert headers["Host"] == f"hooks.example:{port}"
