"""The article page: the seed article as written, its reading time, table of contents and heading
permalinks, its neighbours, highlighted code and lead image."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Status

from .conftest import SEED_SLUG
from .factories import make_article
from .html import links, parse

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
    assert re.search(r"<html lang=\"en\" dir=\"ltr\">", html)
    times = [a["datetime"] for tag, a in page.elements if tag == "time"]
    assert times == ["2023-12-29T00:00:00+00:00"]
    images = [a["src"] for tag, a in page.elements if tag == "img"]
    assert any(src.endswith("image_3b1c60bda9.png") for src in images)
    assert 'href="https://innomizetech.com/"' in html
    assert "####" not in html
    assert "<title>Common IT Outsourcing Mistakes to Avoid" in html
    assert [tag for tag, _ in page.elements].count("article") == 1


def test_seed_article_has_reading_time_toc_and_permalinks(client, seed_article):
    html = client.get(SEED_URL).content.decode()
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


@pytest.mark.parametrize(("headings", "has_toc"), [(2, False), (3, True)])
def test_table_of_contents_needs_three_headings(client, db, headings, has_toc):
    body = "".join(f"## Part {number}\n\nText.\n\n" for number in range(headings))
    make_article(slug="parts", body=body)
    assert ('class="toc"' in client.get("/blog/parts").content.decode()) is has_toc


def test_reading_time_and_headings_are_stored_at_save(db):
    article = make_article(body="## A\n\n## B\n\n## C\n\n" + "word " * 500)
    assert article.reading_minutes == 3
    assert [h["id"] for h in article.headings] == ["a", "b", "c"]


def test_previous_and_next_follow_the_public_order(client, db):
    now = timezone.now()
    oldest = make_article(slug="oldest", title="Oldest", published=now - timedelta(days=3))
    make_article(slug="hidden-middle", status=Status.DRAFT, published=now - timedelta(days=2))
    middle = make_article(slug="middle", title="Middle", published=now - timedelta(days=1))
    newest = make_article(slug="newest", title="Newest", published=now - timedelta(hours=1))
    html = client.get(middle.get_absolute_url()).content.decode()
    assert links(html, "prev") == [oldest.get_absolute_url()]
    assert links(html, "next") == [newest.get_absolute_url()]
    assert links(client.get("/blog/oldest").content.decode(), "prev") == []
    assert links(client.get("/blog/newest").content.decode(), "next") == []


def test_code_blocks_are_highlighted_and_styled_by_our_stylesheet(client, db):
    make_article(slug="code", body="```python\nimport os\n```")
    html = client.get("/blog/code").content.decode()
    assert '<span class="hl-kn">import</span>' in html
    assert 'href="/static/css/highlight.css"' in html


def test_lead_image_alt_text_is_on_the_page(client, db):
    article = make_article(image_url="https://images.example.com/lead.jpg", image_alt="A harbour at dawn")
    page = parse(client.get(article.get_absolute_url()).content.decode())
    lead = [
        attrs
        for tag, attrs in page.elements
        if tag == "img" and attrs.get("src") == "https://images.example.com/lead.jpg"
    ]
    assert lead and lead[0]["alt"] == "A harbour at dawn"
