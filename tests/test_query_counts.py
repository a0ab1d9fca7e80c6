"""Every public page costs a fixed, small number of queries, however many articles there are, and
none once it is cached. Lists: the count, the page, and the author or tag they are for. The article
page: the article with its author and neighbours, then its tags. Feeds: the items, plus the author
or tag. Search is never cached."""

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.page_cache import invalidate
from publishing.changes import SITE_KEY

from .factories import make_article, make_author, tag

pytestmark = pytest.mark.django_db

BUDGETS = {
    "/blog/": 2,
    "/blog/author/many": 3,
    "/blog/tag/many": 3,
    "/blog/feed.xml": 2,
    "/blog/atom.xml": 2,
    "/blog/author/many/feed.xml": 3,
    "/blog/author/many/atom.xml": 3,
    "/blog/tag/many/feed.xml": 3,
    "/blog/tag/many/atom.xml": 3,
    "/sitemap.xml": 2,
    "/blog/search?q=Article": 2,
    "/blog/one": 2,
}


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
