"""What a process keeps in memory of the page cache. Pages, after a hit or a render (RECENT_PAGES): a
repeated hit reads only the state, never the page; a page kept in memory is served under exactly the
rules of one read from the cache, and yields to a fresher render another process stored. And the
state it read under the current changes token (SEEN_STATE): a store reads only the token again,
until it moves."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import page_cache, surrogate_keys
from articles.page_cache import pages

from .factories import make_article


def _asked(held, monkeypatch):
    """The keys read from the cache `held` from now on, once a read (a get_many() that gets each key
    in turn, as local memory's does, counts each once)."""
    asked, inside = [], []
    get, get_many = held.get, held.get_many

    def spy_get(key, *args, **kwargs):
        if not inside:
            asked.append(key)
        return get(key, *args, **kwargs)

    def spy_get_many(keys, *args, **kwargs):
        asked.extend(keys)
        inside.append(keys)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(held, "get", spy_get)
    monkeypatch.setattr(held, "get_many", spy_get_many)
    return asked


def _asked_pages(monkeypatch):
    """The page-cache keys read from the pages' cache from now on (states are read elsewhere)."""
    return _asked(cache, monkeypatch)


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


def _asked_state(monkeypatch):
    """The state keys read from now on (generations, the schedule, the changes token)."""
    return _asked(page_cache.state_cache(), monkeypatch)


def test_a_store_under_an_unmoved_token_reads_the_token_alone(client, db, monkeypatch):
    """The generations and the schedule a store read under the current changes token are not read
    again by the next store under it: nothing was invalidated meanwhile."""
    make_article(slug="a")
    client.get("/api/v1/articles/?limit=1")  # stores the list and its total under api-articles, site
    asked = _asked_state(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/articles/?limit=2").status_code == 200
    assert len(queries) == 1, "not a miss"  # the page (its total is kept)
    state = {
        page_cache.SCHEDULE_KEY,
        page_cache.generation_key("api-articles"),
        page_cache.generation_key("site"),
    }
    assert page_cache.CHANGES_KEY in asked and not state & set(asked)


def test_a_miss_reads_the_changes_token_before_and_after_its_render_only(client, db, monkeypatch):
    """The list's total, kept during the render, is checked against the token the page was looked up
    under: the store reads it again after the render, and keeps nothing if it moved meanwhile."""
    make_article(slug="a")
    client.get("/api/v1/articles/?limit=1")  # keeps the total
    asked = _asked_state(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/articles/?limit=2").status_code == 200
    assert len(queries) == 1, "not a miss, or the total counted again"
    assert asked.count(page_cache.CHANGES_KEY) == 2


def test_a_value_kept_during_a_render_is_as_fresh_as_the_token_the_page_was_looked_up_under(client, db):
    article = make_article(slug="a")
    client.get("/api/v1/articles/?limit=1")  # keeps the total: 1
    make_article(slug="b")  # a change: the token moves, the total's key is named
    assert client.get("/api/v1/articles/?limit=2").json()["meta"]["pagination"]["total"] == 2
    article.delete()
    assert client.get("/api/v1/articles/?limit=3").json()["meta"]["pagination"]["total"] == 1


def test_after_a_change_a_store_reads_and_claims_the_new_generations(client, db):
    """Had the store taken the generation read before the change, its page would be stale at the
    next token move, whatever moved it."""
    article = make_article(slug="a")
    client.get("/blog/a")
    page_cache.invalidate({surrogate_keys.article(article.pk)})
    client.get("/blog/a")  # rendered again, stored under the article's new generation
    page_cache.invalidate({"article-unrelated"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/blog/a").status_code == 200
    assert not queries, "the page stored after the change was stale at an unrelated one"


def test_a_remembered_schedule_whose_time_has_passed_is_read_again(client, db, monkeypatch):
    make_article(slug="a")
    client.get("/api/v1/articles/?limit=1")
    _, seen = pages._seen_state
    assert page_cache.SCHEDULE_KEY in seen
    seen[page_cache.SCHEDULE_KEY] = {"next": timezone.now() - timedelta(seconds=1), "since": timezone.now()}
    asked = _asked_state(monkeypatch)
    client.get("/api/v1/articles/?limit=2")
    assert page_cache.SCHEDULE_KEY in asked


def test_a_kept_value_this_process_stored_is_not_read_again(client, db, monkeypatch):
    """A list's total (page_cache.kept) is kept in memory like a page: the next page of the list
    reads its own page from the cache, and the total not at all."""
    make_article(slug="a")
    client.get("/api/v1/articles/?limit=1")
    asked = _asked_pages(monkeypatch)
    client.get("/api/v1/articles/?limit=1&page=2")
    assert not [key for key in asked if key.startswith("kept:")]
    assert [key for key in asked if key.startswith("pages:")]
