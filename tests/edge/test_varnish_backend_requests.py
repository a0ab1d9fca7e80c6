"""What VarnishBackend sends (against a fake on loopback): one PURGE per batch of keys to every
Varnish configured, and an error naming the Varnish and its answer when one refuses or is away."""

import pytest

from edge.backends import EdgePurgeError, VarnishBackend

from ..tooling import free_port
from .conftest import Answer


def test_every_varnish_gets_every_key(fake_server, make_change):
    first, second = fake_server(), fake_server()
    backend = VarnishBackend("varnish", {"LOCATIONS": [first.url + "/", second.url + "/"]})
    backend.purge(make_change(keys={"list", "article-7", "feed"}))
    for server in (first, second):
        assert [(seen.method, seen.headers["xkey-purge"]) for seen in server.requests] == [
            ("PURGE", "article-7 feed list")
        ]


def test_long_key_lists_are_split_below_the_header_limit(fake_server, make_change):
    server = fake_server()
    keys = {f"tag-{n}" for n in range(2000)}
    VarnishBackend("varnish", {"LOCATIONS": [server.url]}).purge(make_change(keys=keys))
    headers = [seen.headers["xkey-purge"] for seen in server.requests]
    assert len(headers) > 1 and max(map(len, headers)) <= VarnishBackend.MAX_HEADER_CHARS
    assert sorted(key for header in headers for key in header.split()) == sorted(keys)


def test_a_change_without_keys_sends_nothing(fake_server, make_change):
    server = fake_server()
    VarnishBackend("varnish", {"LOCATIONS": [server.url]}).purge(make_change(keys=()))
    assert server.requests == []


def test_refusal_names_the_varnish_and_its_answer(fake_server, make_change):
    server = fake_server(lambda seen: Answer(405, {}, b"Purging is not allowed from 10.0.0.9"))
    backend = VarnishBackend("edge-one", {"LOCATIONS": [server.url + "/"]})
    with pytest.raises(
        EdgePurgeError, match=r"^edge-one: PURGE http://.+ answered 405 .*not allowed from 10.0.0.9"
    ):
        backend.purge(make_change(keys={"list"}))


def test_varnish_away_is_an_error_naming_it(make_change):
    backend = VarnishBackend("edge-one", {"LOCATIONS": [f"http://127.0.0.1:{free_port()}/"]})
    with pytest.raises(EdgePurgeError, match=r"^edge-one: PURGE http://127.0.0.1:\d+/ failed"):
        backend.purge(make_change(keys={"list"}))
