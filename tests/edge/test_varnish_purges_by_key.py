"""VarnishBackend against a real varnishd with the shipped VCL: purging a Change's keys refreshes
exactly the pages that carry one of them, and only loopback may purge."""

import socket

import pytest

from edge.backends import VarnishBackend

from .conftest import get

pytestmark = pytest.mark.slow


@pytest.fixture
def edge(origin, varnish):
    origin.page("/blog/one", keys="site article-1 neighbour-2")
    origin.page("/blog/two", keys="site article-2 neighbour-1")
    origin.page("/blog/", keys="site list")
    edge = varnish(origin.server.address)
    for path in ("/blog/one", "/blog/two", "/blog/"):
        get(edge.url + path)  # now cached: fetch #1
    return edge


def bodies(edge):
    return [get(edge.url + path)[2] for path in ("/blog/one", "/blog/two", "/blog/")]


def purger(edge):
    return VarnishBackend("varnish", {"LOCATIONS": [edge.url + "/"]})


def test_purging_a_key_refreshes_exactly_its_pages(edge, make_change):
    purger(edge).purge(make_change(keys={"article-1"}))
    assert bodies(edge) == ["/blog/one #2", "/blog/two #1", "/blog/ #1"]
    purger(edge).purge(make_change(keys={"neighbour-1", "list"}))
    assert bodies(edge) == ["/blog/one #2", "/blog/two #2", "/blog/ #2"]


def test_site_key_refreshes_every_page(edge, make_change):
    purger(edge).purge(make_change(keys={"site"}))
    assert bodies(edge) == ["/blog/one #2", "/blog/two #2", "/blog/ #2"]


def test_many_keys_in_several_requests_all_purged(edge, make_change, monkeypatch):
    monkeypatch.setattr(VarnishBackend, "MAX_HEADER_CHARS", 20)
    keys = {f"article-{n}" for n in range(100, 130)} | {"article-1", "list"}
    purger(edge).purge(make_change(keys=keys))
    assert bodies(edge) == ["/blog/one #2", "/blog/two #1", "/blog/ #2"]


def test_url_purge_refreshes_that_address(edge):
    assert get(edge.url + "/blog/two", method="PURGE")[0] == 200
    assert bodies(edge) == ["/blog/one #1", "/blog/two #2", "/blog/ #1"]


def proxied_purge(edge, client_ip, keys):
    """A PURGE that Varnish sees as coming from client_ip (PROXY protocol v1 on its second listener)."""
    with socket.create_connection(("127.0.0.1", edge.proxied_port), timeout=10) as sock:
        sock.sendall(
            f"PROXY TCP4 {client_ip} 127.0.0.1 40000 80\r\n".encode()
            + f"PURGE / HTTP/1.1\r\nHost: x\r\nxkey-purge: {keys}\r\nConnection: close\r\n\r\n".encode()
        )
        return sock.makefile("rb").readline().decode()


def test_only_loopback_may_purge(edge):
    """The ACL tested as far as loopback allows: a claimed public address is refused, loopback is
    not (both arrive on the PROXY listener, so only the address differs)."""
    assert " 405 " in proxied_purge(edge, "203.0.113.7", "article-1")
    assert bodies(edge)[0] == "/blog/one #1"
    assert " 200 " in proxied_purge(edge, "127.0.0.1", "article-1")
    assert bodies(edge)[0] == "/blog/one #2"
