"""Every paginated list links its neighbours, in the head (<link rel>) and in the pager (<a rel>), and
the first page has one address: the list's own, never ?page=1."""

import pytest

from articles.models import Tag

from .factories import make_article, make_author
from .html import parse

# The first page, the second, the link from the second back to the first, and the link forward.
# Search keeps its query in every link.
LISTS = [
    ("/blog/", "/blog/?page=2", "/blog/", "?page=2"),
    ("/blog/author/busy", "/blog/author/busy?page=2", "/blog/author/busy", "?page=2"),
    ("/blog/tag/busy", "/blog/tag/busy?page=2", "/blog/tag/busy", "?page=2"),
    ("/blog/search?q=paged", "/blog/search?q=paged&page=2", "?q=paged", "?q=paged&page=2"),
]


@pytest.fixture
def two_pages(db):
    """21 public articles (one more than a page) by one author, under one tag, matching "paged"."""
    author = make_author(slug="busy")
    tag = Tag.objects.create(slug="busy", name="Busy")
    for _ in range(21):
        make_article(title="Paged result", author=author).tags.add(tag)


def _rel_links(client, url, rel):
    response = client.get(url)
    assert response.status_code == 200, url
    return [
        attributes["href"]
        for tag, attributes in parse(response.content.decode()).elements
        if tag in {"link", "a"} and attributes.get("rel") == rel
    ]


@pytest.mark.parametrize(("first", "second", "back", "forward"), LISTS)
def test_second_page_points_back_to_the_lists_own_address(client, two_pages, first, second, back, forward):
    assert _rel_links(client, second, "prev") == [back, back]  # the head's <link>, the pager's <a>
    assert _rel_links(client, second, "next") == []


@pytest.mark.parametrize(("first", "second", "back", "forward"), LISTS)
def test_first_page_points_to_the_second(client, two_pages, first, second, back, forward):
    assert _rel_links(client, first, "next") == [forward, forward]
    assert _rel_links(client, first, "prev") == []
