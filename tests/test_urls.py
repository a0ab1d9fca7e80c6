"""Addresses: the site root leads to the list, an article lives at /blog/<slug> with no trailing
slash (one with it redirects for good), and slugs may be Unicode."""

from .conftest import SEED_SLUG
from .factories import make_article


def test_root_redirects_to_the_list(client, db):
    response = client.get("/")
    assert response.status_code in (301, 302) and response["Location"] == "/blog/"


def test_trailing_slash_redirects_permanently(client, seed_article):
    response = client.get(f"/blog/{SEED_SLUG}/")
    assert response.status_code == 301
    assert response["Location"] == f"/blog/{SEED_SLUG}"


def test_unicode_slug_is_served(client, db):
    make_article(slug="中文-长恨歌", title="长恨歌")
    assert client.get("/blog/中文-长恨歌").status_code == 200
