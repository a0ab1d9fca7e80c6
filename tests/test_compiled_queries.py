"""A queryset compiled once (articles/compiled_queries.py) answers as the queryset itself would for
every value it is run with: the time published() compares with and a list of ids are the request's,
never the stand-ins' or the first run's; rows come back converted as Django converts them; each
shape is built and compiled once a connection, and a changed setting compiles again."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import compiled_queries
from articles.models import Article

from .factories import make_article, tag

pytestmark = pytest.mark.django_db

COLUMNS = ("id", "slug", "published", "image_renditions", "author__name")


def _lists(rows):
    """Rows as lists: compiled rows are sequences, tuples or lists as Django's converters leave them."""
    return [list(row) for row in rows]


def _public_slugs(now):
    return Article.objects.published(now).order_by("-published", "-pk")


def _page(now):
    return _public_slugs(now).values_list(*COLUMNS)[:10]


@pytest.fixture(autouse=True)
def _nothing_compiled():
    compiled_queries.forget()


@pytest.fixture
def timeline(small_site):
    """small_site (A to E, published one to five days ago), and F, published in a day and expiring
    in three."""
    now = timezone.now()
    make_article(slug="article-f", published=now + timedelta(days=1), expires=now + timedelta(days=3))
    return now


@pytest.mark.parametrize("days", [0, 2, 4, -2, -4])
def test_rows_are_the_querysets_at_each_time_it_runs_with(timeline, days):
    compiled_queries.rows(("page",), _page, now=timeline)  # compiled at another time first
    at = timeline + timedelta(days=days)
    assert _lists(compiled_queries.rows(("page",), _page, now=at)) == _lists(_page(at))


def test_rows_follow_the_clock_in_one_process(timeline):
    slugs = [
        [row[1] for row in compiled_queries.rows(("page",), _page, now=timeline + timedelta(days=days))]
        for days in (0, 2, 4)
    ]
    assert slugs[0] == ["article-e", "article-d", "article-c", "article-b", "article-a"]
    assert slugs[1] == ["article-f", *slugs[0]]  # published since
    assert slugs[2] == slugs[0]  # expired since


def test_rows_are_converted_as_django_converts_them(timeline):
    (row,) = compiled_queries.rows(("one",), lambda now: _page(now)[:1], now=timeline)
    (expected,) = _page(timeline)[:1]
    assert list(row) == list(expected)
    assert row[2].tzinfo is not None  # an aware datetime, not SQLite's text


@pytest.mark.parametrize("days", [0, 2, 4])
def test_count_is_the_querysets(timeline, days):
    compiled_queries.count(("public",), Article.objects.published, now=timeline)
    at = timeline + timedelta(days=days)
    assert compiled_queries.count(("public",), Article.objects.published, now=at) == (
        Article.objects.published(at).count()
    )


def test_lists_of_ids_are_the_requests(small_site):
    def tag_names(article_ids):
        return (
            Article.tags.through.objects.filter(article_id__in=article_ids)
            .order_by("tag__name")
            .values_list("article_id", "tag__name")
        )

    a, b, c, d = (small_site.articles[letter].pk for letter in "ABCD")
    tag(small_site.articles["A"], "Birds")
    for ids in ([a, b], [c, d], [b, d], [a, c, d]):
        assert _lists(compiled_queries.rows(("tags",), tag_names, article_ids=ids)) == _lists(tag_names(ids))


def test_a_shape_is_built_and_compiled_once_then_one_query_a_run(timeline):
    built = mock.Mock(side_effect=_page)
    compiled_queries.rows(("counted-builds",), built, now=timeline)
    with CaptureQueriesContext(connection) as queries:
        for days in (1, 2, 3):
            compiled_queries.rows(("counted-builds",), built, now=timeline + timedelta(days=days))
    assert built.call_count == 2  # once with each set of stand-ins
    assert len(queries) == 3


def test_a_query_that_does_not_take_the_value_is_refused(timeline):
    with pytest.raises(compiled_queries.StandInMissing, match="now"):
        compiled_queries.rows(("ignores-now",), lambda now: Article.objects.values_list("slug"), now=timeline)


def test_a_parameter_of_the_request_equal_to_a_stand_in_stays_itself(timeline):
    """Only what differs between two compilations is the request's time: a filter's own date that
    happens to equal a stand-in is left as the filter wrote it."""
    (stand_in, _) = compiled_queries.STAND_IN_TIMES
    Article.objects.update(created=timeline)
    Article.objects.filter(slug="article-a").update(created=stand_in)

    def created_after_the_stand_in(now):
        return _public_slugs(now).filter(created__gt=stand_in).values_list("slug")

    found = compiled_queries.rows(("filtered",), created_after_the_stand_in, now=timeline)
    assert _lists(found) == _lists(created_after_the_stand_in(timeline))
    assert ["article-a"] not in _lists(found) and len(found) == 4


def test_sql_that_changes_with_the_values_is_refused(timeline):
    def sliced_by_the_time(now):
        return Article.objects.published(now).values_list("slug")[: now.year % 7 + 1]

    with pytest.raises(compiled_queries.StandInMissing, match="SQL itself"):
        compiled_queries.rows(("sliced",), sliced_by_the_time, now=timeline)


def test_a_changed_setting_compiles_again(timeline, settings):
    built = mock.Mock(side_effect=_page)
    compiled_queries.rows(("settings",), built, now=timeline)
    settings.TIME_ZONE = "Asia/Tokyo"
    compiled_queries.rows(("settings",), built, now=timeline)
    assert built.call_count == 4


def test_only_the_most_recent_shapes_are_kept(timeline, monkeypatch):
    monkeypatch.setattr(compiled_queries, "COMPILED_PER_CONNECTION", 3)
    built = mock.Mock(side_effect=_page)
    for key in ("a", "b", "c", "a", "d", "a", "b"):
        compiled_queries.rows((key,), built, now=timeline)
    # a, b, c compiled; a kept as the newest; d pushed out b; b compiled again: 5, twice each.
    assert built.call_count == 10
