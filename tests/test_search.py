"""Reader search: title, excerpt and body; ranked by PostgreSQL full-text search (title first) over
a stored vector; paged with the query kept; never indexed. Which articles it may return at all is
proved with every other surface (test_visibility)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article

from .factories import make_article
from .html import links, parse

pytestmark = pytest.mark.django_db


def test_search_finds_title_excerpt_and_body(client):
    make_article(title="Kubernetes costs", slug="in-title")
    make_article(excerpt="About kubernetes.", slug="in-excerpt")
    make_article(body="We ran kubernetes for a year.", slug="in-body")
    make_article(title="Unrelated", slug="unrelated")
    html = client.get("/blog/search", {"q": "kubernetes"}).content.decode()
    found = {
        a["href"]
        for tag, a in parse(html).elements
        if tag == "a" and a.get("href", "").startswith("/blog/in-")
    }
    assert found == {"/blog/in-title", "/blog/in-excerpt", "/blog/in-body"}
    assert "/blog/unrelated" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_search_pages_keep_the_query_in_pagination_links(client):
    for _ in range(21):
        make_article(title="Paged result")
    html = client.get("/blog/search", {"q": "paged"}).content.decode()
    assert links(html, "next") == ["?q=paged&page=2", "?q=paged&page=2"]


def test_search_form_is_in_the_header_and_keeps_the_query(client):
    make_article()
    html = client.get("/blog/search", {"q": "x <y>"}).content.decode()
    forms = [a for tag, a in parse(html).elements if tag == "form"]
    assert forms == [{"class": "site-search", "role": "search", "action": "/blog/search", "method": "get"}]
    assert 'value="x &lt;y&gt;"' in html
    assert client.get("/blog/search").status_code == 200


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
    assert Article.objects.published().search("omega").get() == article
    assert not Article.objects.published().search("alpha").exists()
    with connection.cursor() as cursor:
        cursor.execute("select indexdef from pg_indexes where indexname = 'article_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()
