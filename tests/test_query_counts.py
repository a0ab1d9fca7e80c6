"""Every public page costs a fixed, small number of queries, however many articles there are, and
none once it is cached. Lists: the count, the page, and the author or tag they are for. The article
page: the article with its author and neighbours, then its tags. Feeds: the items, plus the author
or tag. Search is never cached. An import costs a fixed, small number of queries per file."""

import re

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import importer, table_statistics
from articles.models import Article, Author, Tag
from articles.page_cache import invalidate
from publishing.changes import SITE_KEY
from publishing.models import Event

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db

BUDGETS = {
    "/blog/": 2,
    "/blog/author/many": 3,
    "/blog/tag/many": 3,
    "/blog/feed.xml": 2,
    "/blog/atom.xml": 2,
    "/blog/feed.json": 2,
    "/blog/author/many/feed.xml": 3,
    "/blog/author/many/atom.xml": 3,
    "/blog/tag/many/feed.xml": 3,
    "/blog/tag/many/atom.xml": 3,
    "/sitemap.xml": 2,
    "/blog/search?q=Article": 2,
    "/blog/one": 2,
}
# What one more imported file costs, however many there are in its batch: its savepoint and its
# release and the article's row; updating, also the article with its author, its tags, and what
# readers saw before it (the article with its neighbours, and its tags). A new article's tag links,
# what readers see after, the Events, their receivers' states and the task that delivers them are
# read and written once per batch, for all its articles. On PostgreSQL the release is sent with the
# next file's savepoint, in one statement (articles/import_savepoints.py).
IMPORT_QUERIES_PER_FILE = {"created": 3, "updated": 7}


def _import_queries_per_file(action):
    return IMPORT_QUERIES_PER_FILE[action] - (connection.vendor == "postgresql")


def _add_articles(author, count):
    for _ in range(count):
        tag(make_article(author=author), "Many", "Other")


def _uncached_queries(client, url):
    """Queries of the page built afresh, as after any edit: every cached page is made stale first."""
    invalidate({SITE_KEY})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", BUDGETS)
def test_query_count_is_within_budget_and_the_same_for_3_and_30_articles(client, url):
    Site.objects.get_current()  # the feeds' and sitemap's Site row is cached for the process
    author = make_author(slug="many")
    tag(make_article(slug="one", author=author), "Many", "Other")
    _add_articles(author, 2)
    few = _uncached_queries(client, url)
    _add_articles(author, 27)
    assert 0 < few == _uncached_queries(client, url) <= BUDGETS[url]


@pytest.mark.parametrize("url", [url for url in BUDGETS if "search" not in url])
def test_cached_pages_run_no_query(client, url):
    tag(make_article(slug="one", author=make_author(slug="many")), "Many", "Other")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0


def test_the_article_and_its_two_neighbours_are_one_query_with_one_subquery_each():
    sql = str(Article.objects.with_neighbours().filter(slug="one").query)
    assert sql.count("SELECT") == 3


def _import_queries(run_import, folder):
    with CaptureQueriesContext(connection) as queries:
        assert run_import(folder)[0] == 0
    return len(queries)


def test_each_imported_file_costs_the_same_few_queries_however_many_are_imported(
    run_import, write_seed, tmp_path
):
    # PostgreSQL's search vectors (the text is new in both imports) are in a created file's INSERT,
    # and one UPDATE per batch for updated files, not one per file.
    for action, body in (("created", "First words."), ("updated", "Other words.")):
        # "first": its import makes the author and the tags, which the two measured imports then find.
        for folder, count in (("first", 1), ("one", 1), ("five", 5)):
            for number in range(count):
                write_seed(
                    f"{folder}/{number}.md",
                    f"---\ntitle: T{number}\nslug: {folder}-{number}\nauthor: Ann\ndate: 2024-01-0{number + 1}\n"
                    f"tags: [Jam, Tea]\n---\n{body}\n",
                )
        run_import(tmp_path / "first")
        one, five = (
            _import_queries(run_import, tmp_path / "one"),
            _import_queries(run_import, tmp_path / "five"),
        )
        assert five - one == 4 * _import_queries_per_file(action), action
    assert Event.objects.count() == 2 * (1 + 1 + 5)  # each file, created then updated, has its event


def test_a_group_of_files_looks_up_the_authors_and_tags_it_names_in_one_query_each(
    run_import, write_seed, tmp_path
):
    """Not a query per file that names a new one (a round trip each on PostgreSQL): the group's
    look-up finds the existing ones, and each new one is created by the first file to name it."""
    make_author(name="Writer 0", slug="w0")  # found by its name, as its slug is not its name's
    Tag.objects.create(slug="tag-0", name="Tag 0")
    for number in range(10):
        write_seed(
            f"new/{number}.md",
            f"---\ntitle: T{number}\nauthor: Writer {number}\ntags: [Tag {number}, Shared]\n---\nBody.\n",
        )
    with CaptureQueriesContext(connection) as queries:
        assert run_import(tmp_path / "new")[0] == 0
    lookups = [
        query["sql"]
        for query in queries
        if re.match(r'SELECT .* FROM "articles_(author|tag)" WHERE', query["sql"])
    ]
    assert len(lookups) == 2, lookups
    assert sorted(Author.objects.values_list("name", flat=True)) == [
        f"Writer {number}" for number in range(10)
    ]
    assert Tag.objects.count() == 11 and Article.objects.filter(tags__slug="shared").count() == 10


def test_the_tags_a_file_is_the_first_to_name_are_created_in_one_insert(run_import, write_seed, tmp_path):
    Tag.objects.create(slug="old", name="Old")
    write_seed("tags/one.md", "---\ntitle: One\ntags: [Jam, Old, Tea, Jam, Café au lait]\n---\nBody.\n")
    with CaptureQueriesContext(connection) as queries:
        assert run_import(tmp_path / "tags")[0] == 0
    inserts = [query["sql"] for query in queries if query["sql"].startswith('INSERT INTO "articles_tag"')]
    assert len(inserts) == 1, inserts
    assert dict(Tag.objects.values_list("slug", "name")) == {
        "old": "Old",
        "jam": "Jam",
        "tea": "Tea",
        "cafe-au-lait": "Café au lait",
    }
    assert sorted(Article.objects.get().tags.values_list("slug", flat=True)) == [
        "cafe-au-lait",
        "jam",
        "old",
        "tea",
    ]


@pytest.mark.postgresql
def test_an_import_analyzes_its_tables_each_time_its_articles_doubled(
    run_import, write_seed, monkeypatch, analyses
):
    """A new database has no planner statistics until autovacuum's, which an import outruns: planned
    for an empty table, each batch's snapshot of its articles' neighbours read every older article
    per article (articles/table_statistics.py). Batches of 2, from 2 articles on: after 2, 4 and 8."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    monkeypatch.setattr(table_statistics, "MIN_ROWS", 2)
    for number in range(9):
        path = write_seed(f"grow/{number}.md", f"---\ntitle: G{number}\n---\nBody {number}.\n")
    assert run_import(path.parent)[0] == 0
    assert Article.objects.count() == 9 and analyses == [2, 4, 8]


def test_the_tables_an_import_analyzes_are_the_articles_and_what_they_link(db):
    assert set(table_statistics.TABLES) == {
        Article._meta.db_table,
        Article.tags.through._meta.db_table,
        Article.tags.field.related_model._meta.db_table,
        Article.author.field.related_model._meta.db_table,
    }
