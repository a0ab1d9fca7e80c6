"""Pages a process keeps in memory after a hit or a render (page_cache.RECENT_PAGES): a repeated hit
reads only the state, never the page; a page kept in memory is served under exactly the rules of one
read from the cache, and yields to a fresher render another process stored."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import page_cache
from articles.page_cache import pages

from .factories import make_article


def _asked_pages(monkeypatch):
    """The page-cache keys read from the pages' cache from now on (states are read elsewhere)."""
    asked = []
    get, get_many = cache.get, cache.get_many
    monkeypatch.setattr(
        cache, "get", lambda key, *args, **kwargs: asked.append(key) or get(key, *args, **kwargs)
    )
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *args, **kwargs: asked.extend(keys) or get_many(keys, *args, **kwargs)
    )
    return asked


def test_a_repeated_hit_does_not_read_the_page_from_the_cache(client, db, monkeypatch):
    make_article(slug="a", title="Kept near")
    first = client.get("/blog/a")
    asked = _asked_pages(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/blog/a")
    assert not queries and again.content == first.content
    assert not [key for key in asked if key not in (page_cache.CHANGES_KEY, page_cache.SCHEDULE_KEY)]


def test_a_page_kept_in_memory_is_stale_once_its_article_changes(client, db):
    article = make_article(slug="a", title="Before")
    client.get("/blog/a")
    client.get("/blog/a")
    article.title = "After"
    article.save()
    assert "After" in client.get("/blog/a").content.decode()


def test_a_stale_page_in_memory_yields_to_the_fresh_one_another_process_stored(client, db):
    article = make_article(slug="a", title="Before")
    client.get("/blog/a")
    (key,) = [key for key, stored in pages._recent.items() if b"Before" in stored.content]
    held_before = pages._recent[key]
    article.title = "After"
    article.save()
    client.get("/blog/a")
    # This process still holds the old page, as a worker that did not render the new one would.
    pages._recent[key] = held_before
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/blog/a")
    assert not queries, "the fresh page in the cache was not used"
    assert "After" in answer.content.decode()
