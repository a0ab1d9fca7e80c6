"""Error pages are in the site's design and say what happened, in words a reader understands."""

from django.test import RequestFactory
from django.views.defaults import server_error

from .html import parse


def test_unknown_slug_is_a_friendly_404(client, db):
    response = client.get("/blog/no-such-article")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_is_in_the_site_design():
    response = server_error(RequestFactory().get("/"))
    page = parse(response.content.decode())
    assert response.status_code == 500
    assert page.texts["h1"] == ["Something went wrong"]
    assert ("link", {"rel": "stylesheet", "href": "/static/css/site.css"}) in page.elements
    assert any(tag == "a" and a.get("class") == "skip-link" for tag, a in page.elements)
