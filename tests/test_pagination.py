"""Every list pages by key: the first page is the list's own address, an older page is
`?before=<published>,<pk>` of the article above it, and its neighbours are linked in the head
(<link rel>) and in the pager (<a rel>). Walking the pages shows every public article once, in order,
ties on the same second included; old numbered addresses redirect to the same page by key. Search
keeps numbered pages (ranked results)."""

import re
from datetime import timedelta
from itertools import pairwise
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Tag

from .factories import make_article, make_author
from .html import parse
from .query_plans import plan

LISTS = ["/blog/", "/blog/author/busy", "/blog/tag/busy"]


@pytest.fixture
def articles(db):
    """45 public articles (three pages) by one author, under one tag; five share one second."""
    author = make_author(slug="busy")
    busy = Tag.objects.create(slug="busy", name="Busy")
    same_second = timezone.now() - timedelta(days=30)
    made = [make_article(author=author) for _ in range(40)]
    made += [make_article(author=author, published=same_second) for _ in range(5)]
    for article in made:
        article.tags.add(busy)
    return sorted(made, key=lambda article: (article.published, article.pk), reverse=True)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    elements = parse(response.content.decode()).elements

    def rel(name):
        found = [a["href"] for tag, a in elements if tag in {"link", "a"} and a.get("rel") == name]
        assert not found or found == [found[0], found[0]], found  # the head's <link>, the pager's <a>
        return found[0] if found else None

    titles = list(parse(response.content.decode()).texts["h2"])
    return titles, rel("prev"), rel("next")


def _address(list_url, link):
    return list_url + link if link.startswith("?") else link


@pytest.mark.parametrize("list_url", LISTS)
def test_older_links_walk_every_article_once_and_newer_links_walk_back(client, articles, list_url):
    addresses, seen, url = [], [], list_url
    while url:
        titles, newer, older = _page(client, url)
        addresses.append((url, newer))
        seen += titles
        url = older and _address(list_url, older)
    assert seen == [article.title for article in articles]
    assert len(addresses) == 3
    assert addresses[0] == (list_url, None)  # the first page is the list's own address, no newer page
    # Each page's newer link is exactly the page before it: the same address, the same articles.
    for (previous, _), (_, newer) in pairwise(addresses):
        assert _address(list_url, newer) == previous


@pytest.mark.parametrize("list_url", LISTS)
def test_old_numbered_addresses_redirect_to_the_same_page_by_key(client, articles, list_url):
    second = client.get(f"{list_url}?page=2")
    assert second.status_code == 302
    assert _page(client, second["Location"])[0] == [article.title for article in articles[20:40]]
    # Past the end: the oldest page, as the old paginator answered with the last one.
    beyond = client.get(f"{list_url}?page=99")
    assert _page(client, beyond["Location"])[0] == [article.title for article in articles[-20:]]
    assert client.get(f"{list_url}?page=1").status_code == 200


@pytest.mark.parametrize(
    "key", ["nonsense", "2026-01-01T00:00:00Z", "2026-01-01,3", "2026-13-01T00:00:00Z,3"]
)
def test_a_malformed_key_is_not_found(client, articles, key):
    assert client.get(f"/blog/?before={key}").status_code == 404


def test_search_keeps_numbered_pages(client, articles):
    _, newer, older = _page(client, "/blog/search?q=Article")
    assert (newer, older) == (None, "?q=Article&page=2")
    assert _page(client, "/blog/search?q=Article&page=2")[1] == "?q=Article"


# The index each list's page query seeks by.
SEEK_INDEXES = {
    "/blog/": "article_public_order_idx",
    "/blog/author/busy": "article_author_list_idx",
    "/blog/tag/busy": "article_tag_public_order_idx",  # the tag's links, with their articles' copies
}


@pytest.mark.parametrize("list_url", LISTS)
def test_a_deep_page_seeks_by_index_without_counting_or_sorting(client, articles, list_url):
    """The page's queries read the list's order from an index (no sort of every public row, no
    OFFSET) and none counts them."""
    older = _page(client, list_url)[2]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_address(list_url, older)).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert not any("COUNT(" in sql.upper() or "OFFSET" in sql.upper() for sql in statements)
    page_query = next(sql for sql in statements if '"articles_article"."excerpt"' in sql)
    page_plan = plan(page_query)
    seek_indexes = {SEEK_INDEXES[list_url]}
    if connection.vendor == "postgresql" and list_url != "/blog/tag/busy":
        # Its planner may walk the list's order for a few test rows and filter by author: a seek in
        # order all the same (the sorts and scans are refused below); SQLite's choice is pinned.
        seek_indexes.add("article_public_order_idx")
    assert any(index in page_plan for index in seek_indexes), page_plan
    # Of the two upper bounds on `published` (the key's, and now's for what is public), the key's
    # comes first: SQLite seeks by the first, and now's had it read every newer index entry.
    stamp = unquote(older.split("before=")[1]).split("Z,")[0].replace("T", " ")
    first_bound = re.search(r'"published" <= \'([^\']*)\'', page_query[page_query.index(" WHERE ") :])[1]
    assert stamp in first_bound.replace("T", " "), (stamp, first_bound)
    for sql in statements:
        found = plan(sql)
        assert "TEMP B-TREE" not in found  # SQLite: a sort of every matching row
        assert "Seq Scan on articles_article " not in found and " Sort " not in f" {found} "
