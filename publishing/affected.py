"""What a change of one article means for readers: the one place that works out the event kind and
the pages (surrogate keys and URL paths) a change makes stale. Our page cache, the edge and every
other receiver act on what `affected()` returns, so a page missed here is stale everywhere.

A *snapshot* is an article as readers see it, JSON-ready: whether it is public, its address,
author, tags, its neighbours in the public order, and a digest of everything its pages show.
`snapshot()` costs a bounded number of queries (the row, its tags, two neighbours), never a scan.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from articles import sitemaps, surrogate_keys
from articles.models import Article

from .changes import SITE_KEY, EventKind

# Keys of the pages every public article is on besides its own (spelled as the views spell them).
SHARED_KEYS = (surrogate_keys.LIST, surrogate_keys.FEED, surrogate_keys.SITEMAP, surrogate_keys.SEARCH)


@dataclass(frozen=True)
class Affected:
    kind: str
    keys: frozenset
    paths: frozenset


def snapshot(pk, *, neighbours=False):
    """The article `pk` as readers see it now, or None when there is no such row. Its previous and
    next public articles are looked up when it is public, or when `neighbours` is set (an expiry:
    the neighbours it had while it was public)."""
    article = Article.objects.select_related("author").filter(pk=pk).first()
    if article is None:
        return None
    tags = [{"pk": tag.pk, "slug": tag.slug, "name": tag.name} for tag in article.tags.order_by("pk")]
    author = article.author
    shown = {
        "title": article.title,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body_html": article.body_html,
        "image": article.image.name if article.image else "",
        "image_alt": article.image_alt,
        "image_url": article.image_url,
        "body_image_url": article.body_image_url,
        "locale": article.locale,
        "canonical_url": article.canonical_url,
        "status": article.status,
        "created": _iso(article.created),
        "published": _iso(article.published),
        "expires": _iso(article.expires),
        "updated": _iso(article.updated),
        "author": author and {"pk": author.pk, "slug": author.slug, "name": author.name, "url": author.url},
        "tags": tags,
    }
    public = article.is_public
    previous = following = None
    if (public or neighbours) and article.published is not None:
        previous, following = _neighbours(article)
    return {
        "pk": article.pk,
        "uuid": article.uuid.hex if article.uuid else None,
        "title": article.title,
        "slug": article.slug,
        "path": article.get_absolute_url(),
        "status": article.status,
        "public": public,
        "published": shown["published"],
        "expires": shown["expires"],
        "updated": shown["updated"],
        "author": shown["author"] and {key: shown["author"][key] for key in ("pk", "slug", "name")},
        "tags": tags,
        "previous": previous,
        "next": following,
        "digest": hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest(),
    }


def _neighbours(article):
    """({pk, slug} of the previous (older) and next (newer) public article, or None), in the order
    of the lists (-published, -pk), leaving the article itself out."""
    public = Article.objects.published().exclude(pk=article.pk).only("pk", "slug")
    at = article.published
    older = public.filter(Q(published__lt=at) | Q(published=at, pk__lt=article.pk)).order_by(
        "-published", "-pk"
    )
    newer = public.filter(Q(published__gt=at) | Q(published=at, pk__gt=article.pk)).order_by(
        "published", "pk"
    )
    return tuple(
        ({"pk": found.pk, "slug": found.slug} if found else None) for found in (older.first(), newer.first())
    )


def affected(before, after):
    """The kind, keys and paths of the change from snapshot `before` to `after` (None for a row
    that did not exist), or None when readers see no difference (a draft edited)."""
    was, now = bool(before and before["public"]), bool(after and after["public"])
    if not was and not now:
        return None
    if was and now:
        if before["digest"] == after["digest"]:
            return None
        kind = EventKind.UPDATED
    elif now:
        kind = EventKind.PUBLISHED
    else:
        kind = EventKind.DELETED if after is None else EventKind.UNPUBLISHED
    # The public order changed: the neighbours' pages link to different articles now.
    reordered = was != now or before["published"] != after["published"]
    keys, paths = set(), set()
    for shown in (before, after):
        if shown and shown["public"]:
            _add_pages(shown, keys, paths, reordered=reordered)
    return Affected(kind, frozenset(keys), frozenset(paths))


def _add_pages(shown, keys, paths, *, reordered):
    pk = shown["pk"]
    section = sitemaps.section_of(pk)
    keys.update(
        (
            surrogate_keys.article(pk),
            surrogate_keys.neighbour(pk),
            surrogate_keys.sitemap_section(section),
            *SHARED_KEYS,
        )
    )
    paths.update(
        (
            shown["path"],
            reverse("articles:list"),
            reverse("articles:feed"),
            reverse("articles:atom"),
            reverse("sitemap"),
            reverse("sitemap-articles", args=[section]),
        )
    )
    if shown["author"]:
        keys.add(surrogate_keys.author(shown["author"]["pk"]))
        paths.update(_list_paths("author", shown["author"]["slug"]))
    for tag in shown["tags"]:
        keys.add(surrogate_keys.tag(tag["pk"]))
        paths.update(_list_paths("tag", tag["slug"]))
    if reordered:
        for neighbour in (shown["previous"], shown["next"]):
            if neighbour:
                keys.add(surrogate_keys.article(neighbour["pk"]))
                paths.add(reverse("articles:detail", kwargs={"slug": neighbour["slug"]}))


def _list_paths(kind, slug):
    """An author's or a tag's list and its two feeds."""
    return {
        reverse(f"articles:{name}", kwargs={"slug": slug}) for name in (kind, f"{kind}-feed", f"{kind}-atom")
    }


def site_affected(kind, before, after):
    """An author or a tag (`kind`) renamed, re-slugged or deleted: its name and address are on many
    pages (bylines, tag links), so every page is stale. `before`/`after` are (name, slug, url) or
    None; None when nothing readers see changed (a new author or tag is on no page yet)."""
    if before is None or before == after:
        return None
    paths = {path for shown in (before, after) if shown for path in _list_paths(kind, shown[1])}
    return Affected(EventKind.SITE_CHANGED, frozenset({SITE_KEY}), frozenset(paths))


def _iso(moment):
    return moment.isoformat() if moment else None
