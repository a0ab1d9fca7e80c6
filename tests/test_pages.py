"""The reader's pages: the seed article, the list, drafts and scheduled articles, query counts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Status

from .conftest import SEED_SLUG
from .factories import make_article, make_author
from .html import active_content, parse

SEED_URL = f"/blog/{SEED_SLUG}"


def test_seed_page_shows_the_article(client, seed_article):
    response = client.get(SEED_URL)
    assert response.status_code == 200
    html = response.content.decode()
    page = parse(html)
    assert page.texts["h1"] == ["Common IT Outsourcing Mistakes to Avoid"]
    numbered = [t for t in page.texts.get("h3", []) if re.match(r"(10|[1-9])\. ", t)]
    assert len(numbered) == 10
    # Body headings end with their permalink, "#".
    body_h2 = [text.removesuffix(" #") for text in page.texts["h2"] if text.endswith(" #")]
    assert body_h2[:2] == [
        "Common IT Outsourcing Mistakes to Avoid",
        "Avoid These Mistakes and Get the Right Partner",
    ]
    assert len(page.texts["li"]) >= 30
    assert any(text.startswith("By INNOMIZE") for text in page.texts["span"])
    assert re.search(r'<html lang="en">', html)
    times = [a["datetime"] for tag, a in page.elements if tag == "time"]
    assert times == ["2023-12-29T00:00:00+00:00"]
    images = [a["src"] for tag, a in page.elements if tag == "img"]
    assert any(src.endswith("image_3b1c60bda9.png") for src in images)
    assert 'href="https://innomizetech.com/"' in html
    assert "####" not in html
    assert "<title>Common IT Outsourcing Mistakes to Avoid" in html
    assert [tag for tag, _ in page.elements].count("article") == 1


def test_seed_page_head_metadata(client, seed_article):
    page = parse(client.get(SEED_URL).content.decode())
    metas = {
        (a.get("name") or a.get("property")): a.get("content") for tag, a in page.elements if tag == "meta"
    }
    assert metas["description"].startswith("Discover the key IT outsourcing mistakes")
    assert metas["og:title"] == "Common IT Outsourcing Mistakes to Avoid"
    assert metas["og:description"] == metas["description"]
    assert metas["og:image"].endswith("image_3b1c60bda9.png")
    assert metas["og:url"] == f"http://testserver{SEED_URL}"
    assert metas["og:locale"] == "en"
    assert metas["article:published_time"] == "2023-12-29T00:00:00+00:00"
    canonical = [a["href"] for tag, a in page.elements if tag == "link" and a.get("rel") == "canonical"]
    assert canonical == [f"http://testserver{SEED_URL}"]


def test_front_matter_canonical_url_wins(client, db):
    make_article(slug="moved", canonical_url="https://original.example/post")
    page = parse(client.get("/blog/moved").content.decode())
    canonical = [a["href"] for tag, a in page.elements if tag == "link" and a.get("rel") == "canonical"]
    assert canonical == ["https://original.example/post"]


def test_locale_sets_lang_and_og_locale(client, db):
    make_article(slug="br", locale="pt-BR")
    html = client.get("/blog/br").content.decode()
    assert '<html lang="pt-BR">' in html
    assert '<meta property="og:locale" content="pt_BR">' in html


def test_trailing_slash_redirects_permanently(client, seed_article):
    response = client.get(SEED_URL + "/")
    assert response.status_code == 301
    assert response["Location"] == SEED_URL


def test_root_redirects_to_the_list(client, db):
    response = client.get("/")
    assert response.status_code in (301, 302) and response["Location"] == "/blog/"


def test_unknown_slug_is_a_friendly_404(client, db):
    response = client.get("/blog/no-such-article")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unicode_slug_is_served(client, db):
    make_article(slug="中文-长恨歌", title="长恨歌")
    assert client.get("/blog/中文-长恨歌").status_code == 200


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
    assert ("link", {"rel": "next", "href": "?page=2"}) in first.elements
    second = client.get("/blog/?page=2").content.decode()
    assert second.count('class="card"') == 5
    assert client.get("/blog/?page=99").status_code == 200


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Status.DRAFT},
        {"published": None},
        {"published": timezone.now() + timedelta(days=2)},
    ],
)
def test_draft_and_future_articles_are_invisible(client, db, hidden):
    make_article(slug="hidden", title="Hidden article", **hidden)
    assert client.get("/blog/hidden").status_code == 404
    assert "Hidden article" not in client.get("/blog/").content.decode()


def test_future_article_appears_once_its_time_has_passed(client, db):
    article = make_article(slug="soon", published=timezone.now() + timedelta(hours=1))
    assert client.get("/blog/soon").status_code == 404
    article.published = timezone.now() - timedelta(seconds=1)
    article.save()
    assert client.get("/blog/soon").status_code == 200


def test_hostile_fields_in_admin_made_article_are_inert(client, db):
    author = make_author(name="<img src=x onerror=alert(1)>", url="https://a.example")
    make_article(
        slug="evil",
        author=author,
        title='"><script>alert(1)</script>',
        excerpt='" onload="alert(1)',
        body="<script>alert(2)</script>[x](javascript:alert(3))",
        image_url="https://i.example/a.png",
    )
    html = client.get("/blog/evil").content.decode()
    assert active_content(html) == []
    assert active_content(client.get("/blog/").content.decode()) == []


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_articles(client, db):
    authors = [make_author() for _ in range(3)]
    for i in range(3):
        make_article(author=authors[i])
    few = _count_queries(client, "/blog/")
    for i in range(27):
        make_article(author=authors[i % 3])
    assert _count_queries(client, "/blog/") == few <= 2


def test_article_page_query_budget(client, db, django_assert_max_num_queries):
    # The article with its author and its neighbours (subqueries) in one query, its tags in a second.
    make_article(slug="one", author=make_author())
    with django_assert_max_num_queries(2):
        assert client.get("/blog/one").status_code == 200
