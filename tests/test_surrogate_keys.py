"""What an edge cache is told: every public page names the surrogate keys of what it shows (`xkey`,
`Cache-Tag`) and may be kept by the edge for EDGE_MAX_AGE at most, never past the next scheduled
publish or expiry, while browsers revalidate every time; from the page cache and fresh alike.
Previews, pages for session holders, the admin and errors name no keys and the edge keeps none."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Status

from .factories import make_article

pytestmark = pytest.mark.django_db


def _keys(response):
    """The keys a response names, after checking that both headers name the same ones."""
    xkey = set(response.get("xkey", "").split())
    assert xkey == {key for key in response.get("Cache-Tag", "").split(",") if key}
    return xkey


def _expected_keys(site):
    a, b, c, d, e = (site.articles[letter].pk for letter in "ABCDE")
    ann, bob, cats, dogs = (
        f"author-{site.ann.pk}",
        f"author-{site.bob.pk}",
        f"tag-{site.cats.pk}",
        f"tag-{site.dogs.pk}",
    )
    return {
        "/blog/article-a": {"site", f"article-{a}", f"neighbour-{b}"},
        "/blog/article-c": {"site", f"article-{c}", f"neighbour-{b}", f"neighbour-{d}"},
        "/blog/article-e": {"site", f"article-{e}", f"neighbour-{d}"},
        "/blog/": {"site", "list"},
        "/blog/?page=1&x=y": {"site", "list"},
        "/blog/author/ann": {"site", ann},
        "/blog/author/bob/feed.xml": {"site", bob},
        "/blog/author/ann/atom.xml": {"site", ann},
        "/blog/tag/cats": {"site", cats},
        "/blog/tag/dogs/feed.xml": {"site", dogs},
        "/blog/tag/cats/atom.xml": {"site", cats},
        "/blog/feed.xml": {"site", "feed"},
        "/blog/atom.xml": {"site", "feed"},
        "/blog/feed.json": {"site", "feed"},
        "/sitemap.xml": {"site", "sitemap"},
        "/sitemap-pages.xml": {"site", "sitemap"},
        "/sitemap-articles-1.xml": {"site", "sitemap-articles-1"},
        "/blog/search?q=Title": {"site", "search"},
    }


def test_every_public_page_names_the_keys_of_what_it_shows_fresh_and_cached(client, small_site):
    for url, keys in _expected_keys(small_site).items():
        fresh, cached = client.get(url), client.get(url)
        assert fresh.status_code == cached.status_code == 200, url
        assert _keys(fresh) == _keys(cached) == keys, url


def test_every_public_page_of_the_site_names_keys(client, small_site):
    for url in small_site.urls:
        assert "site" in _keys(client.get(url)), url


@pytest.mark.parametrize(
    "url", ["/blog/article-c", "/blog/", "/blog/feed.xml", "/sitemap.xml", "/blog/search?q=x"]
)
def test_the_edge_keeps_a_page_for_a_day_and_browsers_revalidate(client, small_site, url):
    for response in (client.get(url), client.get(url)):  # rendered, then from the page cache
        assert response["Surrogate-Control"] == "max-age=86400"
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {"public", "max-age=0", "must-revalidate"}


def test_edge_lifetime_is_a_setting(client, small_site, settings):
    settings.EDGE_MAX_AGE = 120
    assert client.get("/blog/")["Surrogate-Control"] == "max-age=120"


def test_the_edge_keeps_no_page_past_the_next_scheduled_change(client, small_site, monkeypatch):
    now = timezone.now()
    make_article(published=now + timedelta(minutes=5))
    fresh = client.get("/blog/article-c")
    assert 290 <= int(fresh["Surrogate-Control"].removeprefix("max-age=")) <= 300
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=3))
    cached = client.get("/blog/article-c")
    assert "xkey" in cached and 110 <= int(cached["Surrogate-Control"].removeprefix("max-age=")) <= 120
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=5) - timedelta(milliseconds=500))
    assert client.get("/blog/article-a")["Surrogate-Control"] == "no-store"


def test_a_staff_preview_names_no_keys_and_no_shared_cache_keeps_it(client, editor):
    make_article(slug="draft", status=Status.DRAFT)
    client.force_login(editor)
    response = client.get("/blog/draft")
    assert response.status_code == 200 and not _keys(response)
    assert response["Surrogate-Control"] == "no-store"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_session_holder_gets_a_private_page_without_keys(client, small_site, editor):
    client.force_login(editor)
    response = client.get("/blog/article-c")
    assert response.status_code == 200 and not _keys(response)
    assert "private" in response["Cache-Control"] and response["Surrogate-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/admin/login/", "/blog/no-such-article", "/blog/article-c/", "/robots.txt"])
def test_pages_that_are_not_public_pages_name_no_keys_and_no_edge_keeps_them(client, small_site, url):
    response = client.get(url)
    assert not _keys(response) and response["Surrogate-Control"] == "no-store"
