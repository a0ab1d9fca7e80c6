"""EDGE_CACHES: built from the environment, checked at startup (a system check names the bad
entry), and every configured edge purged by the publishing receiver, even when one fails."""

import runpy

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from edge import receivers
from edge.backends import EdgePurgeError

from .conftest import Answer

VARNISH = "edge.backends.VarnishBackend"


def settings_from(monkeypatch, settings, **env):
    for name in (
        "VARNISH_PURGE_URL",
        "CLOUDFLARE_ZONE_ID",
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFRONT_DISTRIBUTION_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(settings.BASE_DIR / "cms" / "settings.py"))["EDGE_CACHES"]


def test_no_edge_unless_the_environment_names_one(monkeypatch, settings):
    assert settings_from(monkeypatch, settings) == {}


def test_edges_from_the_environment(monkeypatch, settings):
    caches = settings_from(
        monkeypatch,
        settings,
        VARNISH_PURGE_URL="http://127.0.0.1:8080/,http://10.0.0.2:6081/",
        CLOUDFLARE_ZONE_ID="zone",
        CLOUDFLARE_API_TOKEN="token",
        CLOUDFRONT_DISTRIBUTION_ID="E123",
    )
    assert caches["varnish"] == {
        "BACKEND": VARNISH,
        "LOCATIONS": ["http://127.0.0.1:8080/", "http://10.0.0.2:6081/"],
    }
    assert caches["cloudflare"]["ZONE_ID"] == "zone" and caches["cloudflare"]["PURGE_BY"] == "tags"
    assert caches["cloudfront"]["DISTRIBUTION_ID"] == "E123"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"BACKEND": "edge.backends.Nope"}, 'EDGE_CACHES["bad"]: cannot import BACKEND'),
        ({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "is not an edge.backends.EdgeBackend"),
        ({"BACKEND": VARNISH}, 'EDGE_CACHES["bad"] needs LOCATIONS'),
        ({"BACKEND": VARNISH, "LOCATIONS": "http://127.0.0.1:8080"}, "must be a list of http:// addresses"),
        ({"BACKEND": "edge.backends.CloudFrontBackend"}, "needs DISTRIBUTION_ID"),
        ("edge.backends.VarnishBackend", "must be a dict of options"),
    ],
)
def test_system_check_names_the_bad_entry(settings, entry, message):
    settings.EDGE_CACHES = {"bad": entry}
    with pytest.raises(SystemCheckError, match=r"edge\.E002") as raised:
        call_command("check")
    assert message in str(raised.value)


def test_system_check_passes_a_good_configuration(settings):
    settings.EDGE_CACHES = {"varnish": {"BACKEND": VARNISH, "LOCATIONS": ["http://127.0.0.1:8080/"]}}
    call_command("check")


def test_receiver_purges_every_edge_and_reports_the_failing_one(settings, fake_server, make_change):
    working = fake_server()
    refusing = fake_server(lambda seen: Answer(503, {}, b"backend fetch failed"))
    settings.EDGE_CACHES = {
        "refusing": {"BACKEND": VARNISH, "LOCATIONS": [refusing.url + "/"]},
        "working": {"BACKEND": VARNISH, "LOCATIONS": [working.url + "/"]},
    }
    with pytest.raises(EdgePurgeError, match=r"^refusing: PURGE .* answered 503") as raised:
        receivers.purge(make_change(keys={"article-1"}))
    assert "working" not in str(raised.value)
    assert [seen.headers["xkey-purge"] for seen in working.requests] == ["article-1"]


def test_receiver_without_edges_does_nothing(settings, make_change):
    settings.EDGE_CACHES = {}
    receivers.purge(make_change(keys={"article-1"}))
