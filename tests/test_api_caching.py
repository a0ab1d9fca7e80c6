"""The Content API's answers cost a fixed number of queries whatever the page size (a list at most 2
uncached, none cached), carry an ETag answered with 304, and are cached like the pages: a change
makes stale exactly the API answers that show it (an article's own, the article lists, and the
authors and tags whose count of public articles moved), no more and no fewer."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Status
from articles.page_cache import invalidate

from .factories import make_article, make_author, tag
from .query_plans import plans_of

pytestmark = pytest.mark.django_db

EVERYTHING = "?include=author,tags&formats=html,markdown,plaintext"


def _site_of(count):
    authors = [make_author() for _ in range(3)]
    for number in range(count):
        tag(make_article(author=authors[number % 3]), f"t{number % 4}", f"u{number % 5}")


def _queries(client, url, *, uncached=False):
    if uncached:
        invalidate({"site"})  # as after any edit; the schedule is worked out here, not in the request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return len(queries)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        (f"/api/v1/articles/{EVERYTHING}&limit=100", 2),  # count, page (each row with its tags)
        ("/api/v1/articles/?limit=100", 2),
        ("/api/v1/articles/?filter=tag:t1,author:author-1&include=tags&limit=100", 2),
        ("/api/v1/authors/?limit=100", 2),
        ("/api/v1/tags/?limit=100", 2),
    ],
)
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30_and_none_cached(client, url, budget):
    _site_of(3)
    few = _queries(client, url, uncached=True)
    _site_of(30)
    assert _queries(client, url, uncached=True) == few <= budget
    assert _queries(client, url) == 0


def test_a_lists_total_is_counted_once_for_every_page_and_shape_of_it(client):
    """Kept with the lists under their key (articles.page_cache.kept): another page, limit, order or
    shape of the same list, a page-cache miss each, runs no count; another filter or list has its own;
    a change that names the list counts again (which changes do: the exact-set test below, whose
    list bodies carry the total)."""
    _site_of(7)
    invalidate({"site"})
    assert _queries(client, "/api/v1/articles/?limit=2") == 2  # the count, the page
    for url in (
        "/api/v1/articles/?limit=2&page=2",
        "/api/v1/articles/?limit=3&order=title%20asc",
        "/api/v1/articles/?fields=slug,title",
    ):
        assert _queries(client, url) == 1, url
    assert _queries(client, "/api/v1/articles/?filter=tag:t1") == 2
    assert _queries(client, "/api/v1/articles/?filter=tag:t1&limit=1") == 1
    assert _queries(client, "/api/v1/tags/?limit=1") == 2
    assert _queries(client, "/api/v1/tags/?limit=1&page=2") == 1
    make_article(title="One more")
    answer = client.get("/api/v1/articles/?limit=1&page=3").json()
    assert answer["meta"]["pagination"]["total"] == 8
    assert _queries(client, "/api/v1/articles/?limit=2", uncached=True) == 2  # `site` counts again


@pytest.mark.parametrize(
    ("url", "index", "table"),
    [
        ("/api/v1/tags/?limit=5", "article_tag_public_order_idx", "articles_article_tags"),
        ("/api/v1/authors/?limit=5", "article_author_list_idx", "articles_article"),
        ("/api/v1/tags/t1/", "article_tag_public_order_idx", "articles_article_tags"),
    ],
)
def test_authors_and_tags_are_counted_by_an_index_seek_each(client, url, index, table):
    """Not a walk of every public article for each tag (the list read them all once per tag). On
    PostgreSQL, which plans a few test rows by cost (an EXISTS over them may be one hashed pass over
    the public rows instead of a seek per author), no sequential scan; on SQLite, the index itself."""
    _site_of(12)
    invalidate({"site"})
    found = plans_of(lambda: client.get(url))
    if connection.vendor == "sqlite":
        assert any(index in each for each in found), found
    for each in found:
        assert f"SCAN {table}" not in each and f"Seq Scan on {table} " not in each, each
        assert "SCAN U0" not in each and "SCAN U1" not in each, each  # SQLite: a table read whole


def test_a_deep_page_skips_by_the_order_columns_alone(client):
    """The OFFSET is in a subquery that reads pks only (a "deferred join"): rows skipped whole had
    their author joined and, on PostgreSQL, their heap row read (451 ms for the last page at 100k)."""
    _site_of(30)
    invalidate({"site"})
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/articles/?limit=5&page=3&include=author,tags").status_code == 200
    (page,) = [query["sql"] for query in captured.captured_queries if "OFFSET" in query["sql"].upper()]
    outer, _, inner = page.partition(" IN (SELECT ")
    assert inner.startswith('U0."id"'), page
    skipped = inner[: inner.index(")", inner.index("OFFSET"))]
    assert skipped.upper().count("OFFSET") == page.upper().count("OFFSET") == 1, page
    assert "articles_author" not in skipped and "articles_author" in outer


@pytest.mark.parametrize("order", ["published_at desc", "title asc", "updated_at asc,slug desc"])
def test_a_page_nearer_the_end_is_read_backwards_and_is_the_same_page(client, order):
    """Read from the far end, a page past the middle skips only the rows after it: the last page
    skips none. The same articles in the same order as reading forwards."""
    _site_of(10)
    moment = timezone.now() - timedelta(days=1)
    for _ in range(4):  # ties in every order but the primary key's
        make_article(title="The same title", published=moment, updated=moment)
    everything = [
        each["slug"] for each in client.get(f"/api/v1/articles/?limit=100&order={order}").json()["articles"]
    ]
    pages = []
    for number in range(1, 5):
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(f"/api/v1/articles/?limit=4&page={number}&order={order}").json()
        pages += [each["slug"] for each in answer["articles"]]
        sql = " ".join(query["sql"].upper() for query in captured.captured_queries)
        skipped = int(sql.split("OFFSET ")[1].split()[0].strip(")")) if "OFFSET" in sql else 0
        assert skipped == {1: 0, 2: 4, 3: 2, 4: 0}[number], sql  # 14: 4 forwards, then 2 and 0 backwards
    assert pages == everything and len(everything) == 14


def test_one_article_author_or_tag_costs_one_query_and_none_cached(client):
    author = make_author(slug="jane")
    tag(make_article(slug="a", author=author), "x", "y", "z")
    for url, budget in (
        (f"/api/v1/articles/a/{EVERYTHING}", 1),
        ("/api/v1/articles/a/", 1),
        ("/api/v1/authors/jane/", 1),
        ("/api/v1/tags/x/", 1),
    ):
        assert _queries(client, url, uncached=True) == budget, url
        assert _queries(client, url) == 0, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/articles/a/",
        "/api/v1/authors/",
        "/api/v1/authors/jane/",
        "/api/v1/tags/",
        "/api/v1/tags/x/",
        "/api/v1/schema",
    ],
)
def test_a_matching_etag_gets_304_cached_or_not(client, url):
    tag(make_article(slug="a", author=make_author(slug="jane")), "x")
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # from the cache
    invalidate({"site"})
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # rendered again
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def _save(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


# The API answers the test reads, by name.
API_URLS = {
    "list": "/api/v1/articles/",
    "list+": f"/api/v1/articles/{EVERYTHING}",
    "list of dogs": "/api/v1/articles/?filter=tag:dogs",
    **{letter: f"/api/v1/articles/article-{letter.lower()}/{EVERYTHING}" for letter in "ABCDE"},
    "authors": "/api/v1/authors/",
    "ann": "/api/v1/authors/ann/",
    "bob": "/api/v1/authors/bob/",
    "tags": "/api/v1/tags/",
    "cats": "/api/v1/tags/cats/",
    "dogs": "/api/v1/tags/dogs/",
}
LISTS = ("list", "list+", "list of dogs")
# Each change, and the API answers it makes stale.
CHANGES = {
    "nothing": (lambda site: None, ()),
    "a draft edited": (lambda site: _save(site.draft, title="Still hidden"), ()),
    "C retitled": (lambda site: _save(site.articles["C"], title="Retitled"), ("C", *LISTS)),
    "C's Markdown edited without a change of its HTML": (
        lambda site: _save(site.articles["C"], body=site.articles["C"].body + "\n\n"),
        ("C", *LISTS),
    ),
    "C's front matter changed alone": (
        lambda site: _save(site.articles["C"], front_matter_raw="---\nmood: sunny\n---\n"),
        ("C", *LISTS),
    ),
    "C moved to newest": (
        lambda site: _save(site.articles["C"], published=timezone.now() - timedelta(hours=1)),
        ("C", *LISTS),
    ),
    "C given to Bob": (
        lambda site: _save(site.articles["C"], author=site.bob),
        ("C", *LISTS, "authors", "ann", "bob"),
    ),
    "C retagged Dogs": (
        lambda site: site.articles["C"].tags.set([site.dogs]),
        ("C", *LISTS, "tags", "cats", "dogs"),
    ),
    "C unpublished": (
        lambda site: _save(site.articles["C"], status=Status.DRAFT),
        ("C", *LISTS, "authors", "ann", "tags", "cats"),
    ),
    "C deleted": (lambda site: site.articles["C"].delete(), ("C", *LISTS, "authors", "ann", "tags", "cats")),
    "Ann renamed": (lambda site: _save(site.ann, name="Annabel"), tuple(API_URLS)),
}


def _answers(client, urls):
    """{url: (status, body, answered from the cache)}; a cached answer runs no query."""
    answers = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        answers[url] = (response.status_code, response.content, not queries)
    return answers


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_makes_stale_exactly_the_api_answers_that_show_it(client, small_site, change):
    apply, rule = CHANGES[change]
    small_site.draft = make_article(slug="a-draft", author=small_site.ann, status=Status.DRAFT)
    urls = list(API_URLS.values())
    invalidate({"site"})
    _answers(client, urls)  # rendered and cached
    apply(small_site)
    served = _answers(client, urls)
    invalidate({"site"})
    truth = _answers(client, urls)
    stale = [name for name, url in API_URLS.items() if served[url][:2] != truth[url][:2]]
    assert not stale, f"served stale: {stale}"
    rendered_again = {name for name, url in API_URLS.items() if not served[url][2]}
    assert rendered_again == set(rule)
