"""Editing in the admin: the markdownx form, saving, and the staff-only editor endpoints."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article

from .conftest import SEED_SLUG
from .factories import admin_form_data


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "x-Long-Pass-123")


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user("reader", "reader@example.com", "x-Long-Pass-123")


def test_change_form_has_the_markdownx_editor(client, superuser, seed_article):
    client.force_login(superuser)
    response = client.get(f"/admin/articles/article/{seed_article.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="markdownx' in html
    assert "markdownx/js/markdownx" in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    assert "articles/admin/preview-title.js" in html


def test_saving_a_new_body_changes_the_public_page(client, superuser, seed_article):
    client.force_login(superuser)
    new_body = seed_article.body.replace("One of the most important steps", "The single most important step")
    response = client.post(
        f"/admin/articles/article/{seed_article.pk}/change/", admin_form_data(seed_article, body=new_body)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(pk=seed_article.pk)
    assert article.edited_at is not None
    assert article.updated > seed_article.updated
    assert "The single most important step" in article.body_html
    client.logout()
    page = client.get(f"/blog/{SEED_SLUG}").content.decode()
    assert "The single most important step" in page


def test_list_and_search_work(client, superuser, seed_article):
    client.force_login(superuser)
    response = client.get("/admin/articles/article/", {"q": "outsourcing"})
    assert response.status_code == 200
    assert SEED_SLUG in response.content.decode() or "Common IT Outsourcing" in response.content.decode()


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_anonymous_post_to_editor_endpoints_is_refused(client, db, url):
    response = client.post(url, {"content": "# hi"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_non_staff_post_to_editor_endpoints_is_refused(client, reader, url):
    client.force_login(reader)
    assert client.post(url, {"content": "# hi"}).status_code == 403


def test_preview_is_the_page_renderer_with_the_title(client, superuser):
    client.force_login(superuser)
    body = "# My Title\n\nHello <script>alert(1)</script>\n\n# Other"
    response = client.post("/markdownx/markdownify/?title=My%20Title", {"content": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" not in html and "My Title" not in html
    assert '<h2 id="other">Other <a class="header-anchor" href="#other"' in html
    assert "<script" not in html


def test_preview_equals_stored_body_html(client, superuser, seed_article):
    client.force_login(superuser)
    response = client.post(
        "/markdownx/markdownify/", {"content": seed_article.body, "title": seed_article.title}
    )
    assert response.content.decode() == seed_article.body_html


def test_preview_get_is_not_allowed(client, superuser):
    client.force_login(superuser)
    assert client.get("/markdownx/markdownify/").status_code == 405
