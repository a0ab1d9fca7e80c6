"""Cached pages: none of them runs a query; a change, a scheduled publish or an expiry shows at once,
and a change makes stale exactly the pages stored under its keys; losing the cache's state makes
pages stale, never fresh; conditional requests get 304; editors with a session are never served a
cached page."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import surrogate_keys
from articles.models import Article, Status
from articles.page_cache import (
    CHANGES_KEY,
    SCHEDULE_KEY,
    generation_key,
    invalidate,
    invalidate_change,
    state_cache,
)
from cms.settings import cache_settings
from publishing.changes import Change, EventKind

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
    first = client.get("/blog/a", secure=True)  # as from the TLS terminator: HSTS too
    with django_assert_num_queries(0):  # answered from the cache, before sessions and auth
        again = client.get("/blog/a", secure=True)
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Strict-Transport-Security",
        "ETag",
        "Cache-Control",
        "Content-Type",
    ):
        assert again[header] == first[header], header
    # Exactly the render's headers: those of every middleware the hit skips included (Vary,
    # Content-Length), none lost or added by storing them.
    assert dict(again.items()) == dict(first.items())
    assert again.content == first.content


def test_a_request_to_be_redirected_to_https_is_never_answered_from_the_cache(client, db, settings):
    """The cache answers before SecurityMiddleware: it must yield to its redirect (here, a page kept
    from before the site was put behind HTTPS)."""
    make_article(slug="a")
    assert client.get("/blog/a").status_code == 200
    assert _served_from_cache(client, "/blog/a")
    settings.SECURE_SSL_REDIRECT = True
    behind_https = Client()  # a process started since: its middleware reads the setting anew
    assert behind_https.get("/blog/a", secure=True).status_code == 200
    redirected = behind_https.get("/blog/a")
    assert redirected.status_code == 301 and redirected["Location"] == "https://testserver/blog/a"


def test_a_page_that_sets_a_cookie_is_never_stored_nor_shared(client, db, settings):
    """The CSRF middleware sets its cookie after the view has returned: a page with a form carries a
    visitor's own token, and must not be handed to the next visitor, by us or the edge."""
    from . import page_cache_urls

    settings.ROOT_URLCONF = "tests.page_cache_urls"
    page_cache_urls.renders.clear()
    first = client.get("/form")
    assert first.cookies["csrftoken"] and first["Surrogate-Control"] == "no-store"
    client.cookies.clear()
    second = client.get("/form")
    assert page_cache_urls.renders == ["/form", "/form"]
    assert second.content != first.content


def test_a_file_cache_filled_past_its_limit_keeps_its_state_and_still_hits(
    client, db, settings, tmp_path, django_assert_num_queries
):
    """A full file cache culls a third of its files at random, again and again as pages keep coming;
    the state must not be among them (each loss makes every cached page stale and costs a query)."""
    limit = 12
    settings.CACHES = cache_settings(f"filecache://{tmp_path}/cache", max_pages=limit)
    article = make_article(slug="a")
    client.get("/blog/a?visit=warm-up")  # the Site row is cached after the first request
    with CaptureQueriesContext(connection) as one_page:
        client.get("/blog/a")
    names = [
        CHANGES_KEY,
        SCHEDULE_KEY,
        generation_key("site"),
        generation_key(surrogate_keys.article(article.pk)),
    ]
    state = caches[settings.PAGE_STATE_CACHE].get_many(names)
    assert len(state) == len(names)
    addresses = [f"/blog/a?visit={number}" for number in range(10 * limit)]
    # Every address is new, so every one is a miss: the page's own queries and none to rebuild the state.
    with django_assert_num_queries(len(addresses) * len(one_page)):
        for address in addresses:
            client.get(address)
    assert len(list((tmp_path / "cache").glob("*.djcache"))) <= limit  # culled: past the limit
    assert caches[settings.PAGE_STATE_CACHE].get_many(names) == state
    # Culling happens before a write, so the page written last is on disk: it must be a hit.
    with django_assert_num_queries(0):
        assert client.get(addresses[-1]).status_code == 200


def _served_from_cache(client, url, **request):
    """Whether `url` is answered from the page cache: a cached page runs no query."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **request).status_code == 200, url
    return not queries


def _cached_pages(client, site):
    """Visit every page of `site` that the page cache keeps (search it never keeps) and that runs a
    query when rendered (the sitemap's document of other pages runs none: _served_from_cache() could
    not tell its render from a hit); return them."""
    urls = [url for url in site.urls if "search" not in url and url != "/sitemap-pages.xml"]
    for url in urls:
        client.get(url)
    return urls


def test_an_edit_makes_stale_exactly_the_pages_that_show_the_article(client, small_site):
    urls = _cached_pages(client, small_site)
    c = small_site.articles["C"]
    # update(), not save(): no signal invalidates anything; only the keys below, as an edit's event has them.
    Article.objects.filter(pk=c.pk).update(title="Retitled")
    ann, cats = small_site.ann.pk, small_site.cats.pk
    invalidate(
        {
            f"article-{c.pk}",
            f"neighbour-{c.pk}",
            "list",
            "feed",
            "sitemap",
            "sitemap-articles-1",
            "search",
            f"author-{ann}",
            f"tag-{cats}",
        },
        scheduled=[],
    )
    untouched = {
        "/blog/article-a",
        "/blog/article-e",
        "/blog/author/bob",
        "/blog/author/bob/feed.xml",
        "/blog/author/bob/atom.xml",
        "/blog/tag/dogs",
        "/blog/tag/dogs/feed.xml",
        "/blog/tag/dogs/atom.xml",
    }
    for url in urls:
        assert _served_from_cache(client, url) == (url in untouched), url
    for url in (
        "/blog/article-b",
        "/blog/article-c",
        "/blog/article-d",
        "/blog/",
        "/blog/tag/cats",
        "/blog/feed.xml",
        "/blog/feed.json",
    ):
        assert "Retitled" in client.get(url).content.decode(), url


def test_the_site_key_makes_every_page_stale(client, small_site):
    urls = _cached_pages(client, small_site)
    assert all(_served_from_cache(client, url) for url in urls)
    invalidate({"site"}, scheduled=[])
    assert not any(_served_from_cache(client, url) for url in urls)


def test_a_lost_generation_makes_its_pages_stale_never_fresh(client, small_site):
    c = small_site.articles["C"]
    _cached_pages(client, small_site)
    invalidate({"some-other-key"}, scheduled=[])  # something changed: pages are checked key by key
    state_cache().delete(generation_key(f"article-{c.pk}"))
    assert not _served_from_cache(client, "/blog/article-c")
    assert _served_from_cache(client, "/blog/article-c")  # stored again, under a new generation
    assert _served_from_cache(client, "/blog/article-a")


@pytest.mark.parametrize(
    ("lost", "fresh"),
    [
        # Without the changes token the generations decide: all current, so the pages are still fresh.
        ([CHANGES_KEY], True),
        # A token that did not move says that no change, and so no new scheduled time, came since.
        ([SCHEDULE_KEY], True),
        # Neither: a scheduled time may have been brought forward, and the pages were kept past it.
        ([CHANGES_KEY, SCHEDULE_KEY], False),
    ],
)
def test_lost_state_makes_pages_stale_never_fresh(client, small_site, lost, fresh):
    urls = _cached_pages(client, small_site)
    state_cache().delete_many(lost)
    for url in urls:
        assert _served_from_cache(client, url) == fresh, url
        assert _served_from_cache(client, url), url  # stored again, under state set anew


def test_a_change_deletes_its_keys_generations_and_their_pages_go_stale(client, small_site):
    c = small_site.articles["C"]
    urls = _cached_pages(client, small_site)
    own, shared = f"article-{c.pk}", "list"
    before = state_cache().get_many([generation_key(own), generation_key(shared)])
    assert set(before) == {generation_key(own), generation_key(shared)}
    invalidate({own, shared}, scheduled=[])
    assert not state_cache().get_many([generation_key(own), generation_key(shared)])  # deleted
    assert not _served_from_cache(client, "/blog/article-c")
    assert not _served_from_cache(client, "/blog/")
    assert _served_from_cache(client, "/blog/article-a")
    assert _served_from_cache(client, "/blog/article-c")  # stored again, under a generation it added
    after = state_cache().get_many([generation_key(own), generation_key(shared)])
    assert set(after) == {generation_key(own), generation_key(shared)}
    assert not set(after.values()) & set(before.values())
    assert len(urls) > 3


def test_a_change_writes_no_generation(client, small_site, monkeypatch, django_capture_on_commit_callbacks):
    """A change deletes the generations it names (a failed unlink each for those no page named, on the
    file cache): an import of new articles named about 800 a batch, most of them on no page."""
    written = []
    state = state_cache()
    set_many, set_one = state.set_many, state.set
    monkeypatch.setattr(
        state, "set_many", lambda data, *a, **kw: written.extend(data) or set_many(data, *a, **kw)
    )
    monkeypatch.setattr(state, "set", lambda key, *a, **kw: written.append(key) or set_one(key, *a, **kw))
    _cached_pages(client, small_site)
    written.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = make_article(slug="brand-new", author=small_site.ann)
    with django_capture_on_commit_callbacks(execute=True):
        new.title = "Brand new, edited"
        new.save()
    assert written and not [key for key in written if key.startswith(generation_key(""))]
    assert "Brand new, edited" in client.get("/blog/brand-new").content.decode()
    assert not _served_from_cache(client, "/blog/"), "the list did not go stale"


def test_a_store_that_adds_a_generation_a_change_just_deleted_keeps_nothing(client, small_site, monkeypatch):
    """The race a deleted generation opens: the render read the token before a change, the change
    deleted a generation the page names, and the store adds it anew. Its page, rendered from the
    rows before the change, must not be kept under the generation it added."""
    c = small_site.articles["C"]
    state = state_cache()
    add = state.add
    page_key = f"article-{c.pk}"

    def a_change_commits_first(key, *args, **kwargs):
        if key == generation_key(page_key) and not Article.objects.filter(title="Changed").exists():
            Article.objects.filter(pk=c.pk).update(title="Changed")
            invalidate({page_key}, scheduled=[])
        return add(key, *args, **kwargs)

    state.delete(generation_key(page_key))
    monkeypatch.setattr(state, "add", a_change_commits_first)
    assert "Changed" not in client.get("/blog/article-c").content.decode()  # rendered before it
    assert "Changed" in client.get("/blog/article-c").content.decode()


def _change(kind, article, keys):
    return Change(
        id=f"{kind}-{article.pk}",
        kind=kind,
        occurred_at=timezone.now(),
        keys=frozenset(keys),
        article={"pk": article.pk, "published": None, "expires": None},
    )


def test_a_change_committed_while_a_page_renders_leaves_that_page_stale(client, small_site):
    c = small_site.articles["C"]

    def commit_a_change_mid_render(**kwargs):
        if not Article.objects.filter(title="Changed mid-render").exists():
            Article.objects.filter(pk=c.pk).update(title="Changed mid-render")
            invalidate({f"article-{c.pk}"}, scheduled=[])

    template_rendered.connect(commit_a_change_mid_render)
    try:
        assert "Changed mid-render" not in client.get("/blog/article-c").content.decode()
    finally:
        template_rendered.disconnect(commit_a_change_mid_render)
    assert not _served_from_cache(client, "/blog/article-c")
    assert "Changed mid-render" in client.get("/blog/article-c").content.decode()


def _edge_lifetime(response):
    return int(response["Surrogate-Control"].removeprefix("max-age="))


@pytest.mark.parametrize("reported_by", ["invalidate", "a Change"])
def test_a_change_that_reports_its_scheduled_time_costs_no_query_and_caps_every_page(
    client, small_site, monkeypatch, django_assert_num_queries, reported_by
):
    now = timezone.now()
    _cached_pages(client, small_site)
    c, soon = small_site.articles["C"], now + timedelta(minutes=5)
    # As if C had been saved with an expiry in five minutes: the rows are not changed, the event is.
    with django_assert_num_queries(0):
        if reported_by == "invalidate":
            invalidate({f"article-{c.pk}"}, scheduled=[None, soon])
        else:
            snapshot = {"id": c.pk, "published": c.published.isoformat(), "expires": soon.isoformat()}
            invalidate_change(
                Change("0" * 32, EventKind.UPDATED, now, frozenset({f"article-{c.pk}"}), article=snapshot)
            )
    assert _served_from_cache(client, "/blog/article-a")
    assert 290 <= _edge_lifetime(client.get("/blog/article-a")) <= 300
    monkeypatch.setattr(timezone, "now", lambda: soon + timedelta(seconds=1))
    assert not _served_from_cache(client, "/blog/article-a")


def test_a_change_that_does_not_report_its_times_works_out_the_next_one_from_the_rows(client, small_site):
    now = timezone.now()
    _cached_pages(client, small_site)
    c = small_site.articles["C"]
    Article.objects.filter(pk=c.pk).update(expires=now + timedelta(minutes=5))
    invalidate_change(Change("0" * 32, EventKind.UPDATED, now, frozenset({f"article-{c.pk}"}), article=None))
    assert 290 <= _edge_lifetime(client.get("/blog/article-a")) <= 300


def test_a_hit_reads_no_generation_while_nothing_was_invalidated(client, small_site, monkeypatch):
    """The cost of a hit: the page and the changes token; the page's generations only once something
    was invalidated since it was stored, and then once: found current, the page is stamped with the
    new token."""
    client.get("/blog/article-c")
    state = state_cache()
    asked = []
    get, get_many = state.get, state.get_many
    monkeypatch.setattr(
        state, "get", lambda name, *args, **kwargs: asked.append(name) or get(name, *args, **kwargs)
    )
    monkeypatch.setattr(
        state, "get_many", lambda names, **kwargs: asked.extend(names) or get_many(names, **kwargs)
    )
    assert _served_from_cache(client, "/blog/article-c")
    assert asked == [CHANGES_KEY]
    asked.clear()
    invalidate({"some-other-key"}, scheduled=[])
    assert _served_from_cache(client, "/blog/article-c")
    assert generation_key(f"article-{small_site.articles['C'].pk}") in asked
    asked.clear()
    assert _served_from_cache(client, "/blog/article-c")
    assert asked == [CHANGES_KEY]


def test_a_page_found_current_while_a_change_is_invalidating_stays_stale(client, small_site, monkeypatch):
    """A hit that reads the changes token a change has just replaced, then the generations before the
    change writes them, finds the page current and stamps it with that token: the token the change
    writes after the generations must undo that stamp."""
    from articles.page_cache import state as page_state

    c = small_site.articles["C"]
    client.get("/blog/article-c")
    Article.objects.filter(pk=c.pk).update(title="Retitled")
    held = page_state.state_cache()

    class HitBeforeTheGenerations:
        """The state cache, with a hit slipped in just before the generations are written."""

        def __getattr__(self, name):
            return getattr(held, name)

        def set_many(self, data, *args, **kwargs):
            assert _served_from_cache(client, "/blog/article-c")  # the old page, under the new token
            return held.set_many(data, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(page_state, "state_cache", HitBeforeTheGenerations)
        invalidate({f"article-{c.pk}"}, scheduled=[])
    assert not _served_from_cache(client, "/blog/article-c")
    assert "Retitled" in client.get("/blog/article-c").content.decode()


def test_the_next_scheduled_time_is_two_index_seeks_not_a_scan(db):
    """Worked out whenever the schedule is lost or passes: it read every published row (66-100 ms at
    30,000 articles)."""
    from articles.page_cache.state import _next_event

    from .query_plans import plans_of

    make_article(slug="soon", published=timezone.now() + timedelta(hours=1))
    make_article(slug="ends", expires=timezone.now() + timedelta(hours=2))
    found = []
    published, expires = plans_of(lambda: found.append(_next_event(timezone.now())), in_order=True)
    assert found[0] > timezone.now()
    if connection.vendor == "postgresql":
        # A seek by the publication time in either index ordered by it (which one depends on the
        # planner's statistics of a few test rows), the first row taken in order: no scan, no sort.
        assert re.search(r"Index Cond: .*published > ", published), published
        assert re.search(r"article_(public|list)_order_idx", published), published
        assert "Seq Scan" not in published and " Sort " not in f" {published} ", published
    else:
        assert "article_public_order_idx" in published, published
    assert "article_expiry_idx" in expires, expires


def test_two_renders_adding_one_generation_both_keep_their_pages(client, small_site, monkeypatch):
    """A generation missing when two renders store (a new site, or after a change deleted it): the
    second's add() finds the first's, and its page claims that one rather than going unkept."""
    c = small_site.articles["C"]
    state = state_cache()
    add = state.add
    page_key = generation_key(f"article-{c.pk}")

    def another_render_adds_first(key, *args, **kwargs):
        if key == page_key:
            add(key, "theirs", None)
        return add(key, *args, **kwargs)

    state.delete(page_key)
    monkeypatch.setattr(state, "add", another_render_adds_first)
    client.get("/blog/article-c")
    assert state.get(page_key) == "theirs"
    assert _served_from_cache(client, "/blog/article-c")
