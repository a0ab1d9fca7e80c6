"""The shipped VCL (deploy/varnish/default.vcl) in a real varnishd: it keeps the public pages the
site labels for the edge, for as long as the label says, and nothing private."""

import time

import pytest

from .conftest import get

pytestmark = pytest.mark.slow

EDGE_HEADERS = ("xkey", "Cache-Tag", "Surrogate-Control")


@pytest.fixture
def edge(origin, varnish):
    return varnish(origin.server.address)


def test_public_page_is_kept_and_browsers_revalidate(origin, edge):
    origin.page("/blog/a", keys="site article-1")
    first = get(edge.url + "/blog/a")
    second = get(edge.url + "/blog/a")
    assert (first[0], first[2], first[1]["X-Cache"]) == (200, "/blog/a #1", "MISS")
    assert (second[2], second[1]["X-Cache"]) == ("/blog/a #1", "HIT")
    assert second[1]["Cache-Control"] == "max-age=0, must-revalidate"
    assert not [name for name in EDGE_HEADERS if name in second[1]]


def test_lifetime_is_surrogate_control_and_no_stale_copy_after_it(origin, edge):
    origin.page("/blog/soon", **{"Surrogate-Control": "max-age=1"})
    assert get(edge.url + "/blog/soon")[2] == "/blog/soon #1"
    assert get(edge.url + "/blog/soon")[2] == "/blog/soon #1"
    time.sleep(1.5)
    # The first request after the lifetime gets the new page (no grace: a scheduled change shows).
    assert get(edge.url + "/blog/soon")[2] == "/blog/soon #2"


def test_response_setting_a_cookie_is_not_kept(origin, edge):
    origin.page("/blog/login", **{"Set-Cookie": "csrftoken=abc; Path=/"})
    answers = [get(edge.url + "/blog/login") for _ in range(2)]
    assert [body for _, _, body in answers] == ["/blog/login #1", "/blog/login #2"]
    assert answers[1][1]["Set-Cookie"].startswith("csrftoken=abc")


@pytest.mark.parametrize("cache_control", ["private, no-store", "no-cache", "private"])
def test_private_response_is_not_kept_whatever_surrogate_control_says(origin, edge, cache_control):
    origin.page("/blog/draft", **{"Cache-Control": cache_control})
    assert [get(edge.url + "/blog/draft")[2] for _ in range(2)] == ["/blog/draft #1", "/blog/draft #2"]


def test_surrogate_control_no_store_wins_over_s_maxage(origin, edge):
    origin.page("/blog/x", **{"Cache-Control": "public, s-maxage=300", "Surrogate-Control": "no-store"})
    assert [get(edge.url + "/blog/x")[2] for _ in range(2)] == ["/blog/x #1", "/blog/x #2"]


def test_staff_preview_passes_with_its_cookies(origin, edge):
    origin.page("/blog/draft", **{"Cache-Control": "private, no-store"})
    origin.page("/blog/a")
    staff = {"Cookie": "sessionid=s3cret; csrftoken=t"}
    assert [get(edge.url + "/blog/draft", staff)[2] for _ in range(2)] == ["/blog/draft #1", "/blog/draft #2"]
    # Even a page the site marks public is fetched for someone logged in (it may show them more).
    get(edge.url + "/blog/a")
    assert get(edge.url + "/blog/a", staff)[2] == "/blog/a #2"
    assert origin.server.requests[-1].headers["cookie"] == "sessionid=s3cret; csrftoken=t"


def test_analytics_cookies_neither_reach_the_site_nor_split_the_cache(origin, edge):
    origin.page("/blog/a")
    assert get(edge.url + "/blog/a", {"Cookie": "_ga=1"})[2] == "/blog/a #1"
    assert get(edge.url + "/blog/a", {"Cookie": "_ga=2; _gid=3"})[2] == "/blog/a #1"
    assert "cookie" not in origin.server.requests[0].headers


@pytest.mark.parametrize("path", ["/admin/", "/admin/articles/article/", "/markdownx/markdownify/"])
def test_admin_and_editor_are_never_kept(origin, edge, path):
    origin.page(path)  # even when labelled public
    assert [get(edge.url + path)[2] for _ in range(2)] == [f"{path} #1", f"{path} #2"]


def test_not_found_is_not_kept(origin, edge):
    """No "not found" window at the edge: an article published a moment later shows at once."""
    assert get(edge.url + "/blog/later")[0] == 404
    origin.page("/blog/later")
    assert get(edge.url + "/blog/later")[:3:2] == (200, "/blog/later #2")


def test_site_hears_https_from_the_terminator_in_front(origin, edge):
    origin.page("/blog/a")
    get(edge.url + "/blog/a")
    assert origin.server.requests[-1].headers["x-forwarded-proto"] == "https"


@pytest.mark.parametrize(
    ("url", "headers"),
    [("/api/v1/articles/?key=ck_abc", {}), ("/api/v1/articles/", {"X-Api-Key": "ck_abc"})],
)
def test_a_content_api_request_with_a_key_always_reaches_the_site(origin, edge, url, headers):
    """The site checks the key (a revoked one at once) and counts it against its rate."""
    path = url.split("?")[0]
    origin.page(path)
    assert [get(edge.url + url, headers)[2] for _ in range(2)] == [f"{path} #1", f"{path} #2"]
    # Without a key the same public answer may be kept.
    assert [get(edge.url + path)[2] for _ in range(2)] == [f"{path} #3", f"{path} #3"]
