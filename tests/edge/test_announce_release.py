"""announce_release: a new release purges `site` (every page) at every configured edge once; the
same release announced again purges nothing; an edge that fails is an exit code 1 and nothing
recorded, so the next run purges again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..tooling import free_port


def _announce(*args):
    out = StringIO()
    call_command("announce_release", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def varnish(fake_server, settings):
    server = fake_server()
    settings.EDGE_CACHES = {
        "varnish": {"BACKEND": "edge.backends.VarnishBackend", "LOCATIONS": [server.url + "/"]}
    }
    return server


def _purged(server):
    return [(seen.method, seen.headers.get("xkey-purge")) for seen in server.requests]


def test_a_new_release_purges_every_page_once(varnish, settings):
    settings.RELEASE = "build-1"
    assert _announce().startswith("Purged every page at the edge for release ")
    assert _purged(varnish) == [("PURGE", "site")]
    assert "announced already" in _announce()
    assert _purged(varnish) == [("PURGE", "site")]
    settings.RELEASE = "build-2"
    _announce()
    assert _purged(varnish) == [("PURGE", "site")] * 2


def test_force_purges_an_announced_release_again(varnish, settings):
    settings.RELEASE = "build-1"
    _announce()
    _announce("--force")
    assert _purged(varnish) == [("PURGE", "site")] * 2


def test_a_dry_run_purges_and_records_nothing(varnish, settings):
    settings.RELEASE = "build-1"
    assert _announce("--dry-run").startswith("Would purge")
    assert varnish.requests == []
    _announce()
    assert _purged(varnish) == [("PURGE", "site")]


def test_an_edge_away_fails_and_the_next_run_purges_again(varnish, settings):
    settings.RELEASE = "build-1"
    away = {"BACKEND": "edge.backends.VarnishBackend", "LOCATIONS": [f"http://127.0.0.1:{free_port()}/"]}
    settings.EDGE_CACHES = {**settings.EDGE_CACHES, "away": away}
    with pytest.raises(CommandError, match=r"^away: PURGE .* failed.*run announce_release again") as err:
        _announce()
    assert err.value.returncode == 1
    settings.EDGE_CACHES = {"varnish": settings.EDGE_CACHES["varnish"]}
    _announce()
    assert _purged(varnish) == [("PURGE", "site")] * 2


def test_without_an_edge_nothing_is_purged_nor_recorded(fake_server, settings):
    settings.RELEASE = "build-1"
    settings.EDGE_CACHES = {}
    assert "no edge cache configured" in _announce()
    server = fake_server()
    settings.EDGE_CACHES = {"varnish": {"BACKEND": "edge.backends.VarnishBackend", "LOCATIONS": [server.url]}}
    _announce()
    assert _purged(server) == [("PURGE", "site")]
