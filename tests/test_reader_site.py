"""Issue #4, the reader's site: author and tag lists, feeds, sitemap, robots.txt, search, the
article page's extras and head, query budgets, and drafts missing from every surface."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Status, Tag

from .conftest import SEED_SLUG
from .factories import make_article, make_author
from .html import parse

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _tagged(article, *names):
    for name in names:
        tag, _ = Tag.objects.get_or_create(slug=name.lower(), defaults={"name": name})
        article.tags.add(tag)
    return article


def _links(html, rel):
    return [a["href"] for tag, a in parse(html).elements if tag in {"link", "a"} and a.get("rel") == rel]


# --- Author and tag lists -----------------------------------------------------------------------


def test_author_page_lists_only_that_authors_public_articles(client):
    ada, bob = make_author(name="Ada", slug="ada"), make_author(name="Bob", slug="bob")
    make_article(title="By Ada", author=ada)
    make_article(title="By Bob", author=bob)
    html = client.get("/blog/author/ada").content.decode()
    page = parse(html)
    assert page.texts["h1"] == ["Articles by Ada"]
    assert "By Ada" in page.texts["h2"] and "By Bob" not in page.texts["h2"]
    assert "/blog/author/ada/feed.xml" in _links(html, "alternate")
    assert "/blog/author/ada/atom.xml" in _links(html, "alternate")


def test_tag_page_lists_tagged_articles_and_article_links_its_tags(client):
    tagged = _tagged(make_article(title="Tagged", slug="tagged"), "Python")
    make_article(title="Untagged")
    page = parse(client.get("/blog/tag/python").content.decode())
    assert page.texts["h1"] == ["Articles tagged “Python”"]
    assert list(page.texts["h2"]) == ["Tagged"]
    article_html = client.get(tagged.get_absolute_url()).content.decode()
    assert _links(article_html, "tag") == ["/blog/tag/python"]


def test_unknown_or_unpublished_author_and_tag_are_404(client):
    make_author(slug="ghost")
    _tagged(make_article(status=Status.DRAFT, author=make_author(slug="drafter")), "Secret")
    for url in [
        "/blog/author/nobody",
        "/blog/author/ghost",
        "/blog/author/drafter",
        "/blog/tag/nothing",
        "/blog/tag/secret",
    ]:
        assert client.get(url).status_code == 404, url


def test_author_list_is_paginated_with_rel_prev_next_in_head(client):
    author = make_author(slug="busy")
    for _ in range(25):
        make_article(author=author)
    first = client.get("/blog/author/busy").content.decode()
    assert _links(first, "next") == ["?page=2", "?page=2"]  # <link> in the head and the pager's <a>
    second = client.get("/blog/author/busy?page=2").content.decode()
    assert _links(second, "prev") == ["/blog/author/busy", "/blog/author/busy"]
    assert _links(second, "next") == []
    assert len(parse(second).texts["h2"]) == 5


# --- Feeds -------------------------------------------------------------------------------------


def test_rss_feed_has_full_content_and_modified_dates(client):
    article = make_article(title="Full", body="## Part\n\nThe **whole** text.", excerpt="Short.")
    response = client.get("/blog/feed.xml")
    assert response["Content-Type"].startswith("application/rss+xml")
    item = ElementTree.fromstring(response.content).find("channel/item")
    assert item.findtext("title") == "Full"
    assert "<strong>whole</strong>" in item.findtext("description")
    assert item.findtext("link").endswith(article.get_absolute_url())


def test_atom_feed_has_content_summary_and_updated_not_created(client):
    published = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    updated = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    make_article(
        title="Edited",
        body="Body **text**.",
        excerpt="Short.",
        created=published - timedelta(days=9),
        published=published,
        updated=updated,
    )
    root = ElementTree.fromstring(client.get("/blog/atom.xml").content)
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert "<strong>text</strong>" in entry.findtext(f"{ATOM}content")
    assert entry.findtext(f"{ATOM}summary") == "Short."
    assert entry.findtext(f"{ATOM}updated") == updated.isoformat()
    assert entry.findtext(f"{ATOM}published") == published.isoformat()
    assert root.findtext(f"{ATOM}updated") == updated.isoformat()


@pytest.mark.parametrize("kind", ["feed.xml", "atom.xml"])
def test_author_and_tag_feeds_are_filtered(client, kind):
    ada = make_author(slug="ada")
    _tagged(make_article(title="Ada on Go", author=ada), "Go")
    make_article(title="Someone else")
    for url in [f"/blog/author/ada/{kind}", f"/blog/tag/go/{kind}"]:
        body = client.get(url).content.decode()
        assert "Ada on Go" in body and "Someone else" not in body, url
    assert client.get(f"/blog/author/nobody/{kind}").status_code == 404


def test_feed_ids_survive_a_slug_change(client):
    article = make_article(slug="before")
    guid = ElementTree.fromstring(client.get("/blog/feed.xml").content).findtext("channel/item/guid")
    entry_id = ElementTree.fromstring(client.get("/blog/atom.xml").content).findtext(f"{ATOM}entry/{ATOM}id")
    article.slug = "after"
    article.save()
    assert ElementTree.fromstring(client.get("/blog/feed.xml").content).findtext("channel/item/guid") == guid
    assert entry_id == guid and guid.startswith("urn:uuid:")


def test_search_pages_keep_the_query_in_pagination_links(client):
    for _ in range(21):
        make_article(title="Paged result")
    html = client.get("/blog/search", {"q": "paged"}).content.decode()
    assert _links(html, "next") == ["?q=paged&page=2", "?q=paged&page=2"]


# --- Sitemap and robots.txt --------------------------------------------------------------------


def test_sitemap_lists_public_articles_with_updated_as_lastmod(client):
    updated = timezone.now() - timedelta(days=1)
    article = make_article(updated=updated)
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    entries = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in root.iter(f"{ns}url")}
    location = next(loc for loc in entries if loc.endswith(article.get_absolute_url()))
    assert entries[location] == updated.date().isoformat()


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()


# --- Search ------------------------------------------------------------------------------------


def test_search_finds_title_excerpt_and_body_of_public_articles_only(client):
    make_article(title="Kubernetes costs", slug="in-title")
    make_article(excerpt="About kubernetes.", slug="in-excerpt")
    make_article(body="We ran kubernetes for a year.", slug="in-body")
    make_article(title="Kubernetes draft", slug="draft", status=Status.DRAFT)
    make_article(title="Unrelated", slug="unrelated")
    html = client.get("/blog/search", {"q": "kubernetes"}).content.decode()
    found = {
        a["href"]
        for tag, a in parse(html).elements
        if tag == "a" and a.get("href", "").startswith("/blog/in-")
    }
    assert found == {"/blog/in-title", "/blog/in-excerpt", "/blog/in-body"}
    assert "/blog/draft" not in html and "/blog/unrelated" not in html
    assert '<meta name="robots" content="noindex">' in html


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
    from articles.models import Article

    assert Article.objects.published().search("omega").get() == article
    assert not Article.objects.published().search("alpha").exists()
    with connection.cursor() as cursor:
        cursor.execute("select indexdef from pg_indexes where indexname = 'article_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


def test_search_form_is_in_the_header_and_keeps_the_query(client):
    make_article()
    html = client.get("/blog/search", {"q": "x <y>"}).content.decode()
    forms = [a for tag, a in parse(html).elements if tag == "form"]
    assert forms == [{"class": "site-search", "role": "search", "action": "/blog/search", "method": "get"}]
    assert 'value="x &lt;y&gt;"' in html
    assert client.get("/blog/search").status_code == 200


# --- The article page --------------------------------------------------------------------------


def test_seed_article_has_reading_time_toc_and_permalinks(client, seed_article):
    html = client.get(f"/blog/{SEED_SLUG}").content.decode()
    page = parse(html)
    assert re.search(r'<span class="byline__reading">\d+ min read</span>', html)
    toc = [
        a["href"]
        for tag, a in page.elements
        if tag == "a" and a.get("href", "").startswith("#") and "class" not in a
    ]
    ids = {a["id"] for tag, a in page.elements if re.fullmatch("h[2-6]", tag) and "id" in a}
    assert len(toc) >= 10 and {href[1:] for href in toc} <= ids
    permalinks = [a for tag, a in page.elements if tag == "a" and a.get("class") == "header-anchor"]
    assert len(permalinks) == len(seed_article.headings) >= 11
    assert all(a["aria-label"].startswith("Link to section: ") for a in permalinks)


def test_short_article_has_no_table_of_contents(client):
    make_article(slug="short", body="## Only one\n\nText.")
    assert 'class="toc"' not in client.get("/blog/short").content.decode()


def test_reading_time_and_headings_are_stored_at_save():
    article = make_article(body="## A\n\n## B\n\n## C\n\n" + "word " * 500)
    assert article.reading_minutes == 3
    assert [h["id"] for h in article.headings] == ["a", "b", "c"]


def test_previous_and_next_follow_the_public_order(client):
    now = timezone.now()
    oldest = make_article(slug="oldest", title="Oldest", published=now - timedelta(days=3))
    make_article(slug="hidden-middle", status=Status.DRAFT, published=now - timedelta(days=2))
    middle = make_article(slug="middle", title="Middle", published=now - timedelta(days=1))
    newest = make_article(slug="newest", title="Newest", published=now - timedelta(hours=1))
    html = client.get(middle.get_absolute_url()).content.decode()
    assert _links(html, "prev") == [oldest.get_absolute_url()]
    assert _links(html, "next") == [newest.get_absolute_url()]
    assert _links(client.get("/blog/oldest").content.decode(), "prev") == []
    assert _links(client.get("/blog/newest").content.decode(), "next") == []


def test_code_blocks_are_highlighted_and_styled_by_our_stylesheet(client):
    make_article(slug="code", body="```python\nimport os\n```")
    html = client.get("/blog/code").content.decode()
    assert '<span class="hl-kn">import</span>' in html
    assert 'href="/static/css/highlight.css"' in html


def test_article_page_query_budget_with_author_tags_and_neighbours(client):
    author = make_author()
    for i in range(3):
        _tagged(make_article(slug=f"budget-{i}", author=author), "One", "Two", "Three")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/blog/budget-1").status_code == 200
    assert len(queries) <= 4
    assert len(queries) == 2  # article + author + neighbours in one, tags in one


# --- The head ----------------------------------------------------------------------------------


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_head_has_social_tags_and_blogposting_json_ld(client, seed_article):
    html = client.get(f"/blog/{SEED_SLUG}").content.decode()
    metas = {
        (a.get("name") or a.get("property")): a.get("content")
        for tag, a in parse(html).elements
        if tag == "meta"
    }
    assert metas["twitter:title"] == seed_article.title
    assert metas["twitter:image"].endswith("image_3b1c60bda9.png")
    data = _json_ld(html)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == seed_article.title
    assert data["author"]["name"] == "INNOMIZE"
    assert data["datePublished"].startswith("2023-12-29")
    assert data["dateModified"] == seed_article.updated.isoformat()
    assert data["image"].endswith("image_3b1c60bda9.png")
    assert data["publisher"]["name"]
    assert "/blog/feed.xml" in _links(html, "alternate") and "/blog/atom.xml" in _links(html, "alternate")


def test_uploaded_lead_image_gives_og_image_dimensions(client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), "white").save(buffer, format="PNG")
    article = make_article(slug="pictured")
    article.image = SimpleUploadedFile("lead.png", buffer.getvalue(), content_type="image/png")
    article.save()
    html = client.get("/blog/pictured").content.decode()
    metas = {a.get("property"): a.get("content") for tag, a in parse(html).elements if tag == "meta"}
    assert (metas["og:image:width"], metas["og:image:height"]) == ("640", "360")


def test_script_in_title_cannot_break_out_of_json_ld(client):
    make_article(slug="hostile", title="Hi </script><script>alert(1)</script> & <!--", excerpt="</SCRIPT>")
    html = client.get("/blog/hostile").content.decode()
    head = html.split("</head>")[0]
    assert head.count("<script") == 1 and head.count("</script>") == 1
    assert _json_ld(html)["headline"] == "Hi </script><script>alert(1)</script> & <!--"


# --- Public means published(), on every surface ---------------------------------------------------

PUBLIC_SURFACES = [
    "/blog/",
    "/blog/feed.xml",
    "/blog/atom.xml",
    "/sitemap.xml",
    "/blog/search?q=Hidden",
    "/blog/author/shared",
    "/blog/author/shared/feed.xml",
    "/blog/author/shared/atom.xml",
    "/blog/tag/shared",
    "/blog/tag/shared/feed.xml",
    "/blog/tag/shared/atom.xml",
    "/blog/visible",
]


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Status.DRAFT},
        {"published": timezone.now() + timedelta(days=1)},
        {"published": None},
        {"expires": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["draft", "future", "unscheduled", "expired"],
)
@pytest.mark.parametrize("url", PUBLIC_SURFACES)
def test_hidden_articles_are_missing_from_every_surface(client, url, hidden):
    author = make_author(slug="shared")
    visible = _tagged(
        make_article(
            slug="visible", title="Visible", author=author, published=timezone.now() - timedelta(days=2)
        ),
        "Shared",
    )
    _tagged(
        make_article(
            slug="hidden-one",
            title="Hidden article",
            author=author,
            published=hidden.get("published", timezone.now() - timedelta(days=1)),
            **{k: v for k, v in hidden.items() if k != "published"},
        ),
        "Shared",
    )
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hidden article" not in body and "hidden-one" not in body
    if url != "/blog/search?q=Hidden":
        assert visible.slug in body
    assert client.get("/blog/hidden-one").status_code == 404


# --- Query counts do not grow with the data -------------------------------------------------------

QUERIED_SURFACES = [
    "/blog/",
    "/blog/author/many",
    "/blog/tag/many",
    "/blog/feed.xml",
    "/blog/atom.xml",
    "/blog/author/many/feed.xml",
    "/blog/tag/many/atom.xml",
    "/sitemap.xml",
    "/blog/search?q=Article",
]


def _count(client, url):
    """Queries of an uncached response (the page cache would make every count 0)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", QUERIED_SURFACES)
def test_query_count_is_the_same_for_3_and_30_articles(client, url):
    author = make_author(slug="many")

    def add(count):
        for _ in range(count):
            _tagged(make_article(author=author), "Many", "Other")

    add(3)
    _count(client, url)  # the Site row is cached after the first request
    few = _count(client, url)
    add(27)
    assert _count(client, url) == few <= 4


@pytest.mark.parametrize("url", [url for url in QUERIED_SURFACES if "search" not in url])
def test_cached_surfaces_run_no_query(client, url):
    _tagged(make_article(author=make_author(slug="many")), "Many", "Other")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0


def test_server_error_page_is_in_the_site_design(client):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    page = parse(response.content.decode())
    assert response.status_code == 500
    assert page.texts["h1"] == ["Something went wrong"]
    assert ("link", {"rel": "stylesheet", "href": "/static/css/site.css"}) in page.elements
    assert any(tag == "a" and a.get("class") == "skip-link" for tag, a in page.elements)


def test_feeds_use_the_configured_site_domain_not_example_com(client, db, settings):
    from django.contrib.sites.models import Site
    from django.core.management import call_command

    settings.SITE_DOMAIN = "news.example.org"
    call_command("migrate", verbosity=0)  # post_migrate sets the Site row
    assert Site.objects.get(pk=settings.SITE_ID).domain == "news.example.org"
    make_article(slug="dom")
    feed = client.get("/blog/feed.xml").content.decode()
    assert "http://news.example.org/blog/dom" in feed and "example.com" not in feed
