"""SQLite's search index (articles/sqlite_search.py): an FTS5 table that triggers keep in step with
every write to the articles, whoever writes; matching words, not substrings; anything typed is
searched for as words, never read as FTS5 syntax; a rare word is found through the index, not by
reading every article. What search returns on either database is in test_search.py."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import sqlite_search
from articles.models import Article

from .factories import make_article
from .query_plans import plan

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _found(terms):
    return set(Article.objects.published().search(terms).values_list("slug", flat=True))


def _indexed_keys():
    """The rowids the index holds: one search key per article."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {sqlite_search.TABLE}")
        return sorted(row[0] for row in cursor.fetchall())


def _integrity_check():
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sqlite_search.TABLE} ({sqlite_search.TABLE}) VALUES ('integrity-check')"
        )


def test_triggers_keep_the_index_in_step_with_inserts_updates_and_deletes():
    article = make_article(title="Quince jelly", slug="quince")
    assert _found("quince") == {"quince"}
    article.title = "Medlar jelly"
    article.save()
    assert _found("quince") == set() and _found("medlar") == {"quince"}
    Article.objects.filter(pk=article.pk).update(body="Now about persimmons.")  # no save(), no signal
    assert _found("persimmons") == {"quince"} and _found("medlar") == {"quince"}
    # A new publication time moves the article's key, so the index follows it too.
    Article.objects.filter(pk=article.pk).update(published=timezone.now() - timedelta(days=400))
    assert _found("persimmons") == {"quince"}
    assert len(_indexed_keys()) == 1
    Article.objects.filter(pk=article.pk).delete()
    assert _found("persimmons") == set() and _indexed_keys() == []
    _integrity_check()


def test_words_match_not_substrings_stemmed_and_case_and_accents_aside():
    make_article(title="Gardening in the CAFÉ", slug="garden")
    make_article(title="Regardless", slug="regardless")
    assert _found("gardens") == {"garden"}  # stemmed, as on PostgreSQL
    assert _found("cafe") == {"garden"}
    assert _found("gard") == set()  # a substring of words is not a word
    assert _found('"in the café"') == {"garden"}  # a phrase
    assert _found("garden -café") == set()  # an exclusion
    assert _found("garden regardless") == set()  # every word, in one article


@pytest.mark.parametrize(
    "typed",
    [
        "title:x",
        "NEAR(a b)",
        '"unterminated',
        "a OR",
        "AND",
        "*",
        "x*",
        "^a",
        "(a",
        "-",
        '""',
        "+ - ~",
        "a:b:c",
    ],
)
def test_anything_typed_is_searched_as_words_never_as_fts5_syntax(client, typed):
    make_article(title="Plain article")
    assert client.get("/blog/search", {"q": typed}).status_code == 200
    expression = sqlite_search.match_expression(typed)
    if expression is not None:
        # Outside its quoted strings the expression holds only the operators it writes itself.
        outside = re.sub(r'"[^"]*"', " ", expression)
        assert set(outside.replace("(", " ").replace(")", " ").split()) <= {"NOT", "OR"}, expression


def test_a_rare_word_finds_its_article_through_the_index_without_reading_every_article():
    for number in range(30):
        make_article(title=f"Common words {number}", slug=f"common-{number}")
    make_article(title="The axolotl", slug="rare", published=timezone.now() - timedelta(days=900))
    with CaptureQueriesContext(connection) as captured:
        assert _found("axolotl") == {"rare"}
    (sql,) = [query["sql"] for query in captured.captured_queries]
    query_plan = plan(sql)
    assert f"SCAN {sqlite_search.TABLE} VIRTUAL TABLE" in query_plan, query_plan
    assert "SCAN articles_article" not in query_plan, query_plan  # no walk of every article
    assert f"COVERING INDEX {sqlite_search.VISIBILITY_INDEX}" in query_plan, query_plan


def test_the_index_stays_whole_across_the_migrations():
    """A later migration that rebuilds articles_article drops its triggers with the old table; it
    must call sqlite_search.install() again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles_article'"
        )
        triggers = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = %s",
            [sqlite_search.VISIBILITY_INDEX],
        )
        assert cursor.fetchone()
    assert triggers >= set(sqlite_search.TRIGGERS)


def test_matches_are_checked_against_the_querysets_own_filters():
    """Scheduled articles have the newest keys: a public search skips them in the index, a search
    of every article (the same method on another queryset) finds them."""
    make_article(title="Quince later", slug="later", published=timezone.now() + timedelta(days=3))
    make_article(title="Quince draft", slug="draft", status="draft")
    make_article(title="Quince now", slug="now")
    assert _found("quince") == {"now"}
    everything = set(Article.objects.search("quince").values_list("slug", flat=True))
    assert everything == {"later", "draft", "now"}
    by_author = Article.objects.filter(author__name="Nobody").search("quince")  # a join: every match
    assert not by_author.exists()
