"""One edit in the admin makes stale exactly the cached pages its publish event names (the keys
publishing.affected() worked out), never the whole site: every other cached page is still a hit.
bench/cache_load.py measures the same at 100,000 articles under a Zipf load."""

import pytest
from django.test import RequestFactory

from articles.page_cache import pages
from publishing.models import Event

from .factories import admin_form_data

pytestmark = pytest.mark.django_db


def _cached(paths):
    """The paths the page cache answers now, looked up as a reader's GET (nothing rendered)."""
    factory = RequestFactory()
    return {path for path in paths if pages.lookup(factory.get(path)).response is not None}


def _warm(client, site):
    """Every stored public page of the site rendered and cached: {path: the keys it names}."""
    stored = [url for url in site.urls if "/search" not in url]  # search pages are the edge's only
    keys = {url: set(client.get(url)["xkey"].split()) for url in stored}
    assert _cached(stored) == set(stored)
    return keys


@pytest.mark.parametrize(
    ("letter", "changes"),
    [
        ("C", {"title": "Retitled"}),
        ("E", {"body": "A new body."}),
        ("A", {"excerpt": "A new excerpt."}),
    ],
)
def test_an_admin_edit_makes_stale_only_the_pages_its_event_names(
    admin_client, client, small_site, django_capture_on_commit_callbacks, letter, changes
):
    keys = _warm(client, small_site)
    article = small_site.articles[letter]
    tags = list(article.tags.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/articles/article/{article.pk}/change/", admin_form_data(article, tags=tags, **changes)
        )
    assert response.status_code == 302
    named = set(Event.objects.filter(article_id=article.pk).latest("created_at").keys)
    affected = {url for url, shown in keys.items() if shown & named}
    still_cached = _cached(keys)
    assert still_cached == set(keys) - affected
    # The article's own page and the lists went stale; the other articles' pages, the other author's
    # and tag's pages did not.
    assert article.get_absolute_url() in affected and "/blog/" in affected
    assert "/blog/author/bob" in still_cached or "/blog/author/ann" in still_cached
    assert len(still_cached) >= len(keys) // 3
