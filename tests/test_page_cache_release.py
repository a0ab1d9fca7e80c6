"""The release is part of every cached page's key: a deploy (a template changed, or RELEASE set to
another build) never serves a page the code it replaced rendered, while the same release, restarted,
keeps its pages."""

import copy
import shutil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.page_cache import release

from .factories import make_article


def _served_from_cache(client, url):
    """Whether the page cache answered `url`: a cached page runs no query."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return not queries


def _restart(settings):
    """What a new process does: the template engines and the release worked out again (assigning
    TEMPLATES sends setting_changed, as override_settings does)."""
    settings.TEMPLATES = copy.deepcopy(settings.TEMPLATES)


@pytest.fixture
def own_template(settings, tmp_path):
    """The article page's template, copied to a folder searched first; the copy's path."""
    shutil.copytree(settings.BASE_DIR / "templates" / "articles", tmp_path / "articles")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return tmp_path / "articles" / "article_detail.html"


def test_a_changed_template_is_a_new_release_whose_pages_are_rendered_anew(
    client, db, own_template, settings
):
    make_article(slug="a", title="Kept")
    first = client.get("/blog/a")
    assert _served_from_cache(client, "/blog/a")
    before = release.current()
    own_template.write_text(
        own_template.read_text().replace("{% block content %}", "{% block content %}New layout", 1)
    )
    _restart(settings)
    assert release.current() != before
    again = client.get("/blog/a")
    assert "New layout" in again.content.decode() and "New layout" not in first.content.decode()
    assert _served_from_cache(client, "/blog/a")


def test_the_same_release_restarted_keeps_its_pages(client, db, settings):
    make_article(slug="a")
    client.get("/blog/a")
    before = release.current()
    _restart(settings)
    assert release.current() == before
    assert _served_from_cache(client, "/blog/a")


def test_the_release_setting_names_the_release(client, db, settings):
    make_article(slug="a")
    settings.RELEASE = "build-1"
    client.get("/blog/a")
    assert _served_from_cache(client, "/blog/a")
    settings.RELEASE = "build-2"
    assert not _served_from_cache(client, "/blog/a")
    assert _served_from_cache(client, "/blog/a")
    # Rolled back to build-1: its pages, where they are still cached, are its own again.
    settings.RELEASE = "build-1"
    assert _served_from_cache(client, "/blog/a")
