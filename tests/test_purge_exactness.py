"""Purging by key is complete and exact: render every public page, make a change, render them all
again. Every page whose answer changed must name (in the headers the edge stored it under) one of the
keys that change purges, so no stale copy survives at the edge; and the page of an article the change
has nothing to do with names none of them, so it stays cached.

The keys each change purges are written here as data, from the rules of the lead's design (one place
computes them in the publishing app): for an article public before and/or after, `article-` and
`neighbour-` of it, `list`, `feed`, `sitemap`, its sitemap document's, `search`, its authors' and tags' keys before and after,
and when the set of public articles or their order changed, `article-` of its neighbours before and
after; an author or tag renamed: `site`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Status
from articles.page_cache import invalidate

from .factories import make_article

pytestmark = pytest.mark.django_db

EDIT = "article:C neighbour:C list feed sitemap sitemap-articles-1 search author:ann tag:cats"


def _save(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


# Each change, and the keys it purges ("article:C" is article C's key, "author:ann" Ann's, ...).
CHANGES = {
    "nothing": (lambda site: None, ""),
    "C retitled": (lambda site: _save(site.articles["C"], title="Retitled"), EDIT),
    "C's body edited": (lambda site: _save(site.articles["C"], body="A new body."), EDIT),
    "C's slug changed": (lambda site: _save(site.articles["C"], slug="article-c-moved"), EDIT),
    "C unpublished": (
        lambda site: _save(site.articles["C"], status=Status.DRAFT),
        f"{EDIT} article:B article:D",
    ),
    "C expired": (
        lambda site: _save(site.articles["C"], expires=timezone.now() - timedelta(seconds=1)),
        f"{EDIT} article:B article:D",
    ),
    "C deleted": (lambda site: site.articles["C"].delete(), f"{EDIT} article:B article:D"),
    "C moved to newest": (
        lambda site: _save(site.articles["C"], published=timezone.now() - timedelta(hours=1)),
        f"{EDIT} article:B article:D article:E",
    ),
    "C given to Bob": (lambda site: _save(site.articles["C"], author=site.bob), f"{EDIT} author:bob"),
    "C retagged Dogs": (lambda site: site.articles["C"].tags.set([site.dogs]), f"{EDIT} tag:dogs"),
    "draft F published": (
        lambda site: _save(site.articles["F"], status=Status.PUBLISHED),
        "article:F neighbour:F list feed sitemap sitemap-articles-1 search author:bob tag:dogs article:E",
    ),
    "Ann renamed": (lambda site: _save(site.ann, name="Annabel"), "site"),
    "Cats renamed": (lambda site: _save(site.cats, name="Felines"), "site"),
}


def _purged(site, rule):
    """The keys a rule names: "article:C" -> "article-<C's pk>"."""
    rows = {"article": site.articles, "neighbour": site.articles, "author": vars(site), "tag": vars(site)}
    keys = set()
    for word in rule.split():
        kind, _, name = word.partition(":")
        keys.add(f"{kind}-{rows[kind][name].pk}" if name else kind)
    return keys


def _render_all(client, urls):
    """{url: (status, body, the keys it names)}, every page rendered afresh."""
    invalidate({"site"})
    pages = {}
    for url in urls:
        response = client.get(url)
        pages[url] = (response.status_code, response.content, set(response.get("xkey", "").split()))
    return pages


@pytest.mark.parametrize("change", CHANGES)
def test_purged_keys_cover_every_changed_page_and_spare_unrelated_articles(client, small_site, change):
    apply, rule = CHANGES[change]
    # A draft, the newest article once published.
    small_site.articles["F"] = make_article(
        slug="article-f",
        title="Title F",
        author=small_site.bob,
        status=Status.DRAFT,
        published=timezone.now() - timedelta(hours=12),
    )
    small_site.articles["F"].tags.add(small_site.dogs)
    urls = [*small_site.urls, "/blog/article-f"]
    purged = _purged(small_site, rule)  # before the change: a deleted row has no pk
    before = _render_all(client, urls)
    apply(small_site)
    after = _render_all(client, urls)

    stale = [
        url
        for url, (status, body, keys) in before.items()
        if status == 200 and after[url][:2] != (status, body) and not keys & purged
    ]
    assert not stale, f"changed, but the edge keeps them: {stale}"
    if "site" not in purged:
        assert not before["/blog/article-a"][2] & purged, "an unrelated article's page was purged"
