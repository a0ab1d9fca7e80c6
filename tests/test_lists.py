"""The lists of articles: the blog, an author's and a tag's. Newest first, with excerpts, 20 to a
page with rel prev/next, and their own feeds; an author or tag with nothing public has no page."""

from datetime import timedelta

from django.utils import timezone

from articles.models import Status

from .factories import make_article, make_author, tag
from .html import links, parse


def test_list_shows_published_newest_first_with_excerpts(client, db):
    now = timezone.now()
    make_article(title="Older", published=now - timedelta(days=3), excerpt="Old excerpt")
    make_article(title="Newer", published=now - timedelta(days=1), excerpt="New excerpt")
    html = client.get("/blog/").content.decode()
    assert html.index("Newer") < html.index("Older")
    assert "New excerpt" in html and "Old excerpt" in html


def test_list_is_paginated(client, db):
    for _ in range(25):
        make_article()
    first = parse(client.get("/blog/").content.decode())
    assert len([1 for tag, a in first.elements if tag == "article"]) == 20
    (older,) = {a["href"] for tag, a in first.elements if tag == "link" and a.get("rel") == "next"}
    second = client.get(f"/blog/{older}").content.decode()
    assert second.count('class="card"') == 5
    assert client.get("/blog/?page=99", follow=True).status_code == 200


def test_author_page_lists_only_that_authors_articles(client, db):
    ada, bob = make_author(name="Ada", slug="ada"), make_author(name="Bob", slug="bob")
    make_article(title="By Ada", author=ada)
    make_article(title="By Bob", author=bob)
    html = client.get("/blog/author/ada").content.decode()
    page = parse(html)
    assert page.texts["h1"] == ["Articles by Ada"]
    assert "By Ada" in page.texts["h2"] and "By Bob" not in page.texts["h2"]
    assert "/blog/author/ada/feed.xml" in links(html, "alternate")
    assert "/blog/author/ada/atom.xml" in links(html, "alternate")


def test_tag_page_lists_tagged_articles_and_article_links_its_tags(client, db):
    tagged = tag(make_article(title="Tagged", slug="tagged"), "Python")
    make_article(title="Untagged")
    html = client.get("/blog/tag/python").content.decode()
    page = parse(html)
    assert page.texts["h1"] == ["Articles tagged “Python”"]
    assert list(page.texts["h2"]) == ["Tagged"]
    assert "/blog/tag/python/feed.xml" in links(html, "alternate")
    assert "/blog/tag/python/atom.xml" in links(html, "alternate")
    article_html = client.get(tagged.get_absolute_url()).content.decode()
    assert links(article_html, "tag") == ["/blog/tag/python"]


def test_unknown_or_unpublished_author_and_tag_are_404(client, db):
    make_author(slug="ghost")
    tag(make_article(status=Status.DRAFT, author=make_author(slug="drafter")), "Secret")
    for url in [
        "/blog/author/nobody",
        "/blog/author/ghost",
        "/blog/author/drafter",
        "/blog/tag/nothing",
        "/blog/tag/secret",
    ]:
        assert client.get(url).status_code == 404, url


def test_author_list_is_paginated_with_rel_prev_next_in_head(client, db):
    author = make_author(slug="busy")
    for _ in range(25):
        make_article(author=author)
    first = client.get("/blog/author/busy").content.decode()
    older, pager_older = links(first, "next")  # <link> in the head and the pager's <a>
    assert older == pager_older and older.startswith("?before=")
    second = client.get(f"/blog/author/busy{older}").content.decode()
    assert links(second, "prev") == ["/blog/author/busy", "/blog/author/busy"]
    assert links(second, "next") == []
    assert len(parse(second).texts["h2"]) == 5
