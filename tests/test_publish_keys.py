"""The keys a change purges cover every page whose HTML it changed, and no more than that: each
page is rendered before and after a change; a page whose bytes changed must carry one of the
event's keys, and an unrelated article's page must not. A page carries the keys the lead's design
gives it (the response headers' side of the same table: publishing/changes.py)."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles.models import Article, Author, Status, Tag

from .factories import make_article, make_author, tag


def pages():
    """{path: the keys that page carries} for every public page of the site as it is now."""
    found = {
        "/blog/": {"list"},
        "/blog/feed.xml": {"feed"},
        "/blog/atom.xml": {"feed"},
        "/blog/feed.json": {"feed"},
        "/sitemap.xml": {"sitemap"},
        "/sitemap-pages.xml": {"sitemap"},
        "/sitemap-articles-1.xml": {"sitemap-articles-1"},
    }
    for article in Article.objects.published().with_neighbours():
        neighbours = [shown for shown in (article.previous, article.next) if shown]
        found[article.get_absolute_url()] = {
            f"article-{article.pk}",
            *(f"neighbour-{n['pk']}" for n in neighbours),
        }
    for kind, model in (("author", Author), ("tag", Tag)):
        for named in model.objects.all():
            for suffix in ("", "/feed.xml", "/atom.xml"):
                found[f"/blog/{kind}/{named.slug}{suffix}"] = {f"{kind}-{named.pk}"}
    return found


def render(client, paths):
    for cache in caches.all():
        cache.clear()
    return {path: client.get(path).content for path in paths}


@pytest.fixture
def site(db, committed):
    now = timezone.now()
    ann, bob = make_author(slug="ann"), make_author(slug="bob")
    with committed():
        articles = {
            name: make_article(slug=name, author=author, published=now - timedelta(days=days))
            for name, author, days in [
                ("a", ann, 5),
                ("b", bob, 4),
                ("c", ann, 3),
                ("d", bob, 2),
                ("e", ann, 1),
            ]
        }
        tag(articles["b"], "Jam")
        tag(articles["c"], "Jam", "Tea")
        articles["draft"] = make_article(
            slug="draft", author=bob, status=Status.DRAFT, published=now - timedelta(hours=60)
        )
    return articles


CHANGES = {
    "body edit": lambda a: _set(a["c"], body="Other words."),
    "title": lambda a: _set(a["c"], title="A new title"),
    "unpublish": lambda a: _set(a["c"], status=Status.DRAFT),
    "publish": lambda a: _set(a["draft"], status=Status.PUBLISHED),
    "slug": lambda a: _set(a["c"], slug="c-renamed"),
    "moved in time": lambda a: _set(a["c"], published=timezone.now() - timedelta(days=10)),
    "author": lambda a: _set(a["c"], author=a["b"].author),
    "tags": lambda a: a["c"].tags.set([Tag.objects.get(slug="jam")]),
    "delete": lambda a: a["c"].delete(),
}


def _set(article, **changes):
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()


@pytest.mark.parametrize("change", CHANGES)
def test_the_keys_of_a_change_cover_every_page_it_changed(client, site, committed, change):
    carried = pages()
    before = render(client, carried)
    with committed() as events:
        CHANGES[change](site)
    (event,) = events
    after = render(client, carried)
    stale = {path for path in carried if before[path] != after[path]}
    assert stale, "the change must change some page"
    missed = {path: carried[path] for path in stale if not carried[path] & set(event.keys)}
    assert not missed, f"pages changed but not purged by {sorted(event.keys)}"
    # Exact: "a" is two articles away from "c", shares its author only, and its page did not change.
    if "/blog/a" not in stale:
        assert not carried["/blog/a"] & set(event.keys)
