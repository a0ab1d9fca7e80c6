"""Cached pages: none of them runs a query; a change, a scheduled publish or an expiry shows at once;
conditional requests get 304; editors with a session are never served a cached page."""

from datetime import timedelta

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Status
from articles.page_cache import STATE_KEY
from cms.settings import cache_settings

from .factories import make_article, make_author


def test_cached_article_and_list_run_no_query(client, db, django_assert_num_queries):
    make_article(slug="a", author=make_author())
    for url in ("/blog/a", "/blog/"):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200 and again.content == first.content


def test_a_saved_change_shows_at_once(client, db):
    article = make_article(slug="a", title="Before")
    assert "Before" in client.get("/blog/a").content.decode()
    assert "Before" in client.get("/blog/").content.decode()
    article.title = "After"
    article.save()
    assert "After" in client.get("/blog/a").content.decode()
    assert "After" in client.get("/blog/").content.decode()


def test_author_change_shows_at_once(client, db):
    author = make_author(name="Ann")
    make_article(slug="a", author=author)
    assert "Ann" in client.get("/blog/a").content.decode()
    author.name = "Annabel"
    author.save()
    assert "Annabel" in client.get("/blog/a").content.decode()


def test_deleted_article_disappears(client, db):
    article = make_article(slug="a", title="Soon gone")
    assert client.get("/blog/a").status_code == 200
    article.delete()
    assert client.get("/blog/a").status_code == 404
    assert "Soon gone" not in client.get("/blog/").content.decode()


def test_scheduled_publish_needs_no_save(client, db, monkeypatch):
    now = timezone.now()
    make_article(slug="old", title="Already out", published=now - timedelta(days=1))
    make_article(slug="soon", title="Scheduled one", published=now + timedelta(minutes=5))
    assert "Scheduled one" not in client.get("/blog/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))
    assert "Scheduled one" in client.get("/blog/").content.decode()
    assert client.get("/blog/soon").status_code == 200


def test_expiry_needs_no_save(client, db, monkeypatch):
    now = timezone.now()
    make_article(slug="a", title="Short lived", expires=now + timedelta(minutes=5))
    assert client.get("/blog/a").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))
    assert client.get("/blog/a").status_code == 404
    assert "Short lived" not in client.get("/blog/").content.decode()


def test_conditional_request_gets_304(client, db):
    make_article(slug="a")
    response = client.get("/blog/a")
    etag = response["ETag"]
    assert "max-age=0" in response["Cache-Control"] and "must-revalidate" in response["Cache-Control"]
    assert client.get("/blog/a", headers={"If-None-Match": etag}).status_code == 304


def test_session_holders_bypass_the_cache(client, db, django_assert_max_num_queries):
    make_article(slug="a")
    client.get("/blog/a")
    client.cookies["sessionid"] = "whatever"
    with django_assert_max_num_queries(10) as queries:
        client.get("/blog/a")
    assert len(queries) > 0


def test_drafts_are_never_cached_for_the_public(client, db):
    article = make_article(slug="a", status=Status.DRAFT)
    assert client.get("/blog/a").status_code == 404
    article.status = Status.PUBLISHED
    article.save()
    assert client.get("/blog/a").status_code == 200
    article.status = Status.DRAFT
    article.save()
    assert client.get("/blog/a").status_code == 404


def test_import_makes_pages_stale(client, db, write_seed):
    from io import StringIO

    from django.core.management import call_command

    path = write_seed("a.md", "---\ntitle: First words\nslug: a\n---\nx")
    call_command("import_seeds", str(path), stdout=StringIO())
    assert "First words" in client.get("/blog/a").content.decode()
    path.write_text("---\ntitle: Second words\nslug: a\n---\nx")
    call_command("import_seeds", str(path), stdout=StringIO())
    assert "Second words" in client.get("/blog/a").content.decode()


def test_a_cached_page_keeps_every_security_header(client, db, django_assert_num_queries):
    make_article(slug="a")
    first = client.get("/blog/a")
    with django_assert_num_queries(0):  # answered from the cache, before sessions and auth
        again = client.get("/blog/a")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "ETag",
        "Cache-Control",
        "Content-Type",
    ):
        assert again[header] == first[header], header
    assert again.content == first.content


def test_a_file_cache_filled_past_its_limit_keeps_its_state_and_still_hits(
    client, db, settings, tmp_path, django_assert_num_queries
):
    """A full file cache culls a third of its files at random, again and again as pages keep coming;
    the state must not be among them (each loss makes every cached page stale and costs a query)."""
    limit = 12
    settings.CACHES = cache_settings(f"filecache://{tmp_path}/cache", max_pages=limit)
    make_article(slug="a")
    client.get("/blog/a?visit=warm-up")  # the Site row is cached after the first request
    with CaptureQueriesContext(connection) as one_page:
        client.get("/blog/a")
    state = caches[settings.PAGE_STATE_CACHE].get(STATE_KEY)
    addresses = [f"/blog/a?visit={number}" for number in range(10 * limit)]
    # Every address is new, so every one is a miss: the page's own queries and none to rebuild the state.
    with django_assert_num_queries(len(addresses) * len(one_page)):
        for address in addresses:
            client.get(address)
    assert len(list((tmp_path / "cache").glob("*.djcache"))) <= limit  # culled: past the limit
    assert caches[settings.PAGE_STATE_CACHE].get(STATE_KEY) == state
    # Culling happens before a write, so the page written last is on disk: it must be a hit.
    with django_assert_num_queries(0):
        assert client.get(addresses[-1]).status_code == 200
