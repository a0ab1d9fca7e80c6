"""Reader search: title, excerpt and body; ranked by PostgreSQL full-text search (title first) over
a stored vector; paged with the query kept; never indexed; bounded: only the SEARCH_RESULTS_LIMIT
newest public matches are found and ranked, and the page says when there may be more (issue 11).
Which articles it may return at all is proved with every other surface (test_visibility)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import sqlite_search
from articles.models import Article

from .factories import make_article
from .html import links, parse
from .query_plans import plan

pytestmark = pytest.mark.django_db


def test_search_finds_title_excerpt_and_body(client):
    make_article(title="Kubernetes costs", slug="in-title")
    make_article(excerpt="About kubernetes.", slug="in-excerpt")
    make_article(body="We ran kubernetes for a year.", slug="in-body")
    make_article(title="Unrelated", slug="unrelated")
    html = client.get("/blog/search", {"q": "kubernetes"}).content.decode()
    found = {
        a["href"]
        for tag, a in parse(html).elements
        if tag == "a" and a.get("href", "").startswith("/blog/in-")
    }
    assert found == {"/blog/in-title", "/blog/in-excerpt", "/blog/in-body"}
    assert "/blog/unrelated" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_search_pages_keep_the_query_in_pagination_links(client):
    for _ in range(21):
        make_article(title="Paged result")
    html = client.get("/blog/search", {"q": "paged"}).content.decode()
    assert links(html, "next") == ["?q=paged&page=2", "?q=paged&page=2"]


def test_search_form_is_in_the_header_and_keeps_the_query(client):
    make_article()
    html = client.get("/blog/search", {"q": "x <y>"}).content.decode()
    forms = [a for tag, a in parse(html).elements if tag == "form"]
    assert forms == [{"class": "site-search", "role": "search", "action": "/blog/search", "method": "get"}]
    assert 'value="x &lt;y&gt;"' in html
    assert client.get("/blog/search").status_code == 200


@pytest.mark.postgresql
def test_search_ranks_title_matches_first_on_postgresql(client):
    make_article(body="A note on gardening.", slug="in-body", published=timezone.now() - timedelta(hours=1))
    make_article(title="Gardening", slug="in-title", published=timezone.now() - timedelta(days=9))
    html = client.get("/blog/search", {"q": "gardens"}).content.decode()  # stemmed: gardens ~ gardening
    assert html.index("/blog/in-title") < html.index("/blog/in-body")


@pytest.mark.postgresql
def test_search_vector_is_stored_on_save_on_postgresql():
    article = make_article(title="Alpha")
    article.title = "Omega"
    article.save()
    assert Article.objects.published().search("omega").get() == article
    assert not Article.objects.published().search("alpha").exists()
    with connection.cursor() as cursor:
        cursor.execute("select indexdef from pg_indexes where indexname = 'article_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


def _found(html):
    """The slugs of the result cards, in page order."""
    return [
        a["href"].removeprefix("/blog/")
        for tag, a in parse(html).elements
        if tag == "a" and "hit-" in a.get("href", "")
    ]


def _matches(count):
    """`count` public articles matching "plum" alike, newest first: hit-0 is an hour old, hit-1 two."""
    now = timezone.now()
    for n in range(count):
        make_article(title=f"On plum {n}", slug=f"hit-{n}", published=now - timedelta(hours=n + 1))


def test_search_finds_only_the_newest_public_matches_up_to_the_limit_and_says_so(client, settings):
    settings.SEARCH_RESULTS_LIMIT = 3
    _matches(5)
    # Newer than every public match: hidden articles must not take a place within the limit.
    make_article(title="Plum draft", slug="hit-draft", status="draft")
    make_article(title="Plum later", slug="hit-scheduled", published=timezone.now() + timedelta(days=1))
    make_article(title="Plum gone", slug="hit-expired", expires=timezone.now() - timedelta(minutes=1))
    html = client.get("/blog/search", {"q": "plum"}).content.decode()
    assert _found(html) == ["hit-0", "hit-1", "hit-2"]
    assert "3 or more articles found; these are the newest 3." in html


def test_search_under_the_limit_counts_every_match(client, settings):
    settings.SEARCH_RESULTS_LIMIT = 3
    _matches(2)
    html = client.get("/blog/search", {"q": "plum"}).content.decode()
    assert _found(html) == ["hit-0", "hit-1"]
    assert "2 articles found." in html and "or more" not in html


def test_search_pages_stop_at_the_limit(client, settings):
    settings.SEARCH_RESULTS_LIMIT = 25
    _matches(30)
    last = client.get("/blog/search", {"q": "plum", "page": 2}).content.decode()
    assert _found(last) == [f"hit-{n}" for n in range(20, 25)]
    assert "Page 2 of 2" in last and links(last, "next") == []
    beyond = client.get("/blog/search", {"q": "plum", "page": 3}).content.decode()
    assert _found(beyond) == _found(last)


def test_search_ranks_only_a_bounded_set_of_candidates_found_by_index(client, settings):
    """The count and the page each find the matches newest first through an index and stop at the
    limit (the LIMIT sits in the candidates' subquery), then fetch those candidates by primary key;
    PostgreSQL ranks only them. Neither reads every article, nor every public one."""
    settings.SEARCH_RESULTS_LIMIT = 7
    _matches(3)
    with CaptureQueriesContext(connection) as captured:
        client.get("/blog/search", {"q": "plum"})
    searches = [q["sql"] for q in captured.captured_queries if " MATCH " in q["sql"] or "@@" in q["sql"]]
    assert len(searches) == 2  # the count and the page
    for sql in searches:
        candidates = sql[sql.index('"articles_article"."id" IN (SELECT') :]
        assert "LIMIT 7)" in candidates
        assert "ts_rank" not in candidates
        query_plan = plan(sql)
        assert "Seq Scan on articles_article" not in query_plan
        assert "SCAN articles_article" not in query_plan and "SCAN U0" not in query_plan
        if connection.vendor == "sqlite":
            # Matches newest first from the FTS5 index (its rowid is the publication order), each
            # checked in the covering index, no row read and no sort before the LIMIT.
            assert "SCAN articles_search VIRTUAL TABLE" in query_plan, query_plan
            assert f"COVERING INDEX {sqlite_search.VISIBILITY_INDEX} (id=?" in query_plan, query_plan
        by_primary_key = (
            "articles_article_pkey" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        )
        assert (
            f"articles_article USING {by_primary_key}" in query_plan
            or f"using {by_primary_key} on articles_article" in query_plan
        )
    if connection.vendor == "postgresql":
        lines = plan(searches[1]).splitlines()
        ranked = next(i for i, line in enumerate(lines) if "Sort Key: (ts_rank" in line)
        bounded = next(i for i, line in enumerate(lines) if i > ranked and "->  Limit" in line)
        matched = next(i for i, line in enumerate(lines) if "@@" in line)
        assert ranked < bounded < matched  # the rank sorts the output of the candidates' LIMIT


@pytest.mark.postgresql
def test_search_ranks_the_newest_matches_best_first_on_postgresql(client, settings):
    """More matches than the limit: the newest are kept, and among them a title match comes first
    even though it is the oldest kept; an older title match beyond the limit is not found."""
    settings.SEARCH_RESULTS_LIMIT = 3
    now = timezone.now()
    make_article(body="A plum tree.", slug="hit-body-new", published=now - timedelta(hours=1))
    make_article(body="Plum jam.", slug="hit-body-old", published=now - timedelta(hours=2))
    make_article(title="Plums", slug="hit-title", published=now - timedelta(hours=3))
    make_article(title="Plum", slug="hit-title-beyond", published=now - timedelta(hours=4))
    html = client.get("/blog/search", {"q": "plum"}).content.decode()
    assert _found(html) == ["hit-title", "hit-body-new", "hit-body-old"]
    assert "3 or more articles found" in html


@pytest.mark.postgresql
def test_each_article_is_searched_in_its_own_language(client, db):
    """French stemming for a French article (mangeaient ~ manger), English for an English one,
    and words as written for a language PostgreSQL cannot stem."""
    from .factories import make_article

    make_article(slug="chats", title="Les chats", body="Les chats mangeaient des croquettes.", locale="fr")
    make_article(slug="dogs", title="Dogs", body="The dogs were running home.")
    make_article(slug="neko", title="猫", body="猫が好き ねこ", locale="ja")

    def found(query, **extra):
        html = client.get("/blog/search", {"q": query, **extra}).content.decode()
        return {slug for slug in ("chats", "dogs", "neko") if f'/blog/{slug}"' in html}

    assert found("manger") == {"chats"}  # French stems: mangeaient -> mang
    assert found("run") == {"dogs"}  # English stems: running -> run
    assert found("ねこ") == {"neko"}  # simple: the word as written
    assert found("manger", lang="en") == set() and found("manger", lang="fr") == {"chats"}
