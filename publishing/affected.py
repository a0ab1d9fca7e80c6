"""What a change of one article means for readers: the one place that works out the event kind and
the pages (surrogate keys and URL paths) a change makes stale. Our page cache, the edge and every
other receiver act on what `affected()` returns, so a page missed here is stale everywhere.

A *snapshot* is an article as readers see it, JSON-ready: whether it is public, its address,
author, tags, its neighbours in the public order, and a digest of everything its pages show.
`snapshot()` costs two queries (the row with its author and neighbours, then its tags), never a scan.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

from articles import sitemaps, surrogate_keys
from articles.models import Article, Tag

from .changes import SITE_KEY, EventKind

# What of an article its pages show (its digest is taken over these, its tags and its author).
SHOWN_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "body_html",
    "image",
    "image_alt",
    "image_url",
    "body_image_url",
    "locale",
    "translation_key",
    "canonical_url",
    "status",
    "created",
    "published",
    "expires",
    "updated",
    "author",
    # The Content API shows the imported file's front matter, which can change (a key with no field
    # of its own) when nothing above does. A change of the Markdown alone moves `updated`.
    "front_matter_raw",
)
# Articles per query in snapshots(): well under any database's limit of query parameters.
CHUNK_SIZE = 500

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
    return snapshots([pk], neighbours=neighbours).get(pk)


def snapshots(pks, *, neighbours=False):
    """{pk: snapshot} of the articles `pks` that have a row: two queries for up to CHUNK_SIZE of them
    (an import's batch), where one snapshot() each would cost two queries each."""
    articles = (
        Article.objects.with_neighbours()
        .select_related("author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("pk")))
        .only(*SHOWN_FIELDS, "uuid", "author__slug", "author__name", "author__url")
        .order_by()
    )
    found = {}
    for start in range(0, len(pks), CHUNK_SIZE):
        chunk = list(articles.filter(pk__in=pks[start : start + CHUNK_SIZE]))
        sets = _translation_sets({article.translation_key for article in chunk} - {""})
        for article in chunk:
            found[article.pk] = _snapshot(article, neighbours=neighbours, sets=sets)
    return found


def _translation_sets(keys):
    """{translation key: [(pk, slug) of its public articles]}: one query for a chunk's sets, none
    when no article of it is a translation."""
    sets = {}
    if keys:
        public = Article.objects.published().filter(translation_key__in=keys).order_by("pk")
        for pk, slug, key in public.values_list("pk", "slug", "translation_key"):
            sets.setdefault(key, []).append({"pk": pk, "slug": slug})
    return sets


def _snapshot(article, *, neighbours, sets):
    tags = [{"pk": tag.pk, "slug": tag.slug, "name": tag.name} for tag in article.tags.all()]
    author = article.author
    shown = {name: getattr(article, name) for name in SHOWN_FIELDS if name != "author"}
    shown.update(
        {
            "image": article.image.name if article.image else "",
            "created": _iso(article.created),
            "published": _iso(article.published),
            "expires": _iso(article.expires),
            "updated": _iso(article.updated),
            "author": author
            and {"pk": author.pk, "slug": author.slug, "name": author.name, "url": author.url},
            "tags": tags,
        }
    )
    public = article.is_public
    previous = following = None
    if public or neighbours:
        previous, following = (
            neighbour and {"pk": neighbour["pk"], "slug": neighbour["slug"]}
            for neighbour in (article.previous, article.next)
        )
    return {
        "pk": article.pk,
        "uuid": article.uuid.hex if article.uuid else None,
        "title": article.title,
        "slug": article.slug,
        "path": _site_paths().of("articles:detail", article.slug),
        "status": article.status,
        "public": public,
        "published": shown["published"],
        "expires": shown["expires"],
        "updated": shown["updated"],
        "author": shown["author"] and {key: shown["author"][key] for key in ("pk", "slug", "name")},
        "tags": tags,
        "previous": previous,
        "next": following,
        "locale": article.locale,
        # The other public articles of its translation set: their pages link to it (hreflang).
        "translations": [
            shown for shown in sets.get(article.translation_key, []) if shown["pk"] != article.pk
        ],
        "digest": hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest(),
    }


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
    # Its translations' pages link to it by address and language: they change when those do.
    relinked = was != now or any(
        before.get(name) != after.get(name) for name in ("slug", "locale", "translations")
    )
    keys, paths, site = set(), set(), _site_paths()
    for shown in (before, after):
        if shown and shown["public"]:
            _add_pages(shown, keys, paths, site, reordered=reordered, relinked=relinked)
    _add_api_resources(before, after, keys, paths, site)
    return Affected(kind, frozenset(keys), frozenset(paths))


def _add_pages(shown, keys, paths, site, *, reordered, relinked):
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
    paths.update((shown["path"], *site.shared, site.sitemap_section(section)))
    if shown["author"]:
        keys.add(surrogate_keys.author(shown["author"]["pk"]))
        paths.update(_list_paths(site, "author", shown["author"]["slug"]))
    for tag in shown["tags"]:
        keys.add(surrogate_keys.tag(tag["pk"]))
        paths.update(_list_paths(site, "tag", tag["slug"]))
    neighbours = (shown["previous"], shown["next"]) if reordered else ()
    translations = shown.get("translations", ()) if relinked else ()
    for other in (*neighbours, *translations):
        if other:
            keys.add(surrogate_keys.article(other["pk"]))
            paths.add(site.of("articles:detail", other["slug"]))
    for other in translations:
        # Their sitemap documents list this article as their alternate.
        section = sitemaps.section_of(other["pk"])
        keys.add(surrogate_keys.sitemap_section(section))
        paths.add(site.sitemap_section(section))


def _add_api_resources(before, after, keys, paths, site):
    """The Content API's resources (content_api/): the article itself and the article lists, and the
    authors and tags whose count of public articles moved (one gained or lost this article), with
    their lists. An article's neighbours are not in its API answer, so a reorder leaves theirs be."""
    mounted = site.api_lists is not None
    for shown in (before, after):
        if shown and shown["public"]:
            keys.update((surrogate_keys.api_article(shown["pk"]), surrogate_keys.API_ARTICLES))
            if mounted:
                paths.update((site.of("content_api:read_article", shown["slug"]), site.api_lists[0]))
    for kind, list_key, key, list_path in (
        ("author", surrogate_keys.API_AUTHORS, surrogate_keys.api_author, 1),
        ("tag", surrogate_keys.API_TAGS, surrogate_keys.api_tag, 2),
    ):
        moved = _members(before, kind).items() ^ _members(after, kind).items()
        if moved:
            keys.update((list_key, *(key(pk) for pk, _ in moved)))
            if mounted:
                paths.add(site.api_lists[list_path])
                paths.update(site.of(f"content_api:read_{kind}", slug) for _, slug in moved)


def _members(shown, kind):
    """{pk: slug} of the article's author or tags, when the article is public (they count it)."""
    if not (shown and shown["public"]):
        return {}
    if kind == "author":
        return {shown["author"]["pk"]: shown["author"]["slug"]} if shown["author"] else {}
    return {tag["pk"]: tag["slug"] for tag in shown["tags"]}


def _list_paths(site, kind, slug):
    """An author's or a tag's list and its two feeds."""
    return {site.of(f"articles:{name}", slug) for name in (kind, f"{kind}-feed", f"{kind}-atom")}


class _SitePaths:
    """The paths of the pages a change can make stale, as reverse() spells them, from a few reverse()
    calls made once: a change is worked out at least twice per save, and a reverse() per page was a
    tenth of an import's time (bench/README.md)."""

    SHARED = ("articles:list", "articles:feed", "articles:atom", "articles:json-feed", "sitemap")
    BY_SLUG = tuple(
        f"articles:{name}"
        for name in ("detail", "author", "author-feed", "author-atom", "tag", "tag-feed", "tag-atom")
    )
    # The Content API's, when the URL configuration mounts it (content_api/urls.py).
    API_BY_SLUG = tuple(f"content_api:read_{name}" for name in ("article", "author", "tag"))
    API_LISTS = tuple(f"content_api:list_{name}" for name in ("articles", "authors", "tags"))
    # Stands for the slug in a path reversed once; it matches the patterns' [-\w]+ like any slug.
    MARK = "slug-mark"
    # Stands for a sitemap document's number likewise.
    NUMBER_MARK = 987654321

    def __init__(self):
        self.shared = tuple(reverse(name) for name in self.SHARED)
        self._around = {
            name: reverse(name, kwargs={"slug": self.MARK}).split(self.MARK) for name in self.BY_SLUG
        }
        try:
            self.api_lists = tuple(reverse(name) for name in self.API_LISTS)
            self._around.update(
                {
                    name: reverse(name, kwargs={"slug": self.MARK}).split(self.MARK)
                    for name in self.API_BY_SLUG
                }
            )
        except NoReverseMatch:
            self.api_lists = None
        self._section = reverse("sitemap-articles", args=[self.NUMBER_MARK]).split(str(self.NUMBER_MARK))

    def of(self, name, slug):
        """reverse(name, kwargs={"slug": slug}): reverse() percent-encodes the whole path with these
        safe characters, one character at a time, so encoding the slug alone gives the same path."""
        before, after = self._around[name]
        return before + _quoted(slug) + after

    def sitemap_section(self, number):
        """reverse("sitemap-articles", args=[number])."""
        before, after = self._section
        return f"{before}{number}{after}"


@lru_cache(maxsize=8192)
def _quoted(slug):
    # Once per slug a process: the same tags and authors are on most lists.
    return quote(slug, safe=RFC3986_SUBDELIMS + "/~:@")


def _site_paths():
    # reverse() reads the URL configuration (a request's own, else ROOT_URLCONF, which tests may
    # override) and the script prefix (a site mounted under a path) each time: so does this key.
    return _paths_for(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=16)
def _paths_for(urlconf, script_prefix):
    return _SitePaths()


def site_affected(kind, before, after):
    """An author or a tag (`kind`) renamed, re-slugged or deleted: its name and address are on many
    pages (bylines, tag links), so every page is stale. `before`/`after` are (name, slug, url) or
    None; None when nothing readers see changed (a new author or tag is on no page yet)."""
    if before is None or before == after:
        return None
    site = _site_paths()
    paths = {path for shown in (before, after) if shown for path in _list_paths(site, kind, shown[1])}
    return Affected(EventKind.SITE_CHANGED, frozenset({SITE_KEY}), frozenset(paths))


def _iso(moment):
    return moment.isoformat() if moment else None
