"""What the Content API says about an article, an author and a tag: JSON-ready dicts built from rows
the endpoints fetched (no query here), with absolute URLs and ISO 8601 times with their offset.

Which fields, formats and related objects go in is decided by the request's parameters
(content_api/parameters.py); these functions only leave out what was not asked for."""

import html
from functools import lru_cache
from types import SimpleNamespace

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import lead_image_url
from publishing.affected import _site_paths as site_paths

# Every field an article can have, in the order the API writes them. `fields` picks among them.
ARTICLE_FIELDS = (
    "id",
    "uuid",
    "slug",
    "title",
    "url",
    "excerpt",
    "published_at",
    "updated_at",
    "created_at",
    "locale",
    "canonical_url",
    "reading_minutes",
    "image",
    "front_matter",
    "author",
    "tags",
)
# Formats of the body: html (rendered and sanitized on save), markdown (the body exactly as written),
# plaintext (the html's text).
FORMATS = ("html", "markdown", "plaintext")
AUTHOR_FIELDS = ("id", "slug", "name", "url", "website", "count")
TAG_FIELDS = ("id", "slug", "name", "url", "count")


class Site:
    """Absolute URLs and local times for one request: its scheme, host and time zone once, then each
    path or time. Paths by name and slug come from publishing.affected's path builder (reverse() once
    per name, not once per row: a list of 15 with authors and tags was 85 reverse() calls)."""

    def __init__(self, request):
        self.root = request.build_absolute_uri("/")[:-1]
        self.paths = site_paths()
        self.zone = timezone.get_current_timezone()
        # What representations made for this site are kept under (content_api/fragments.py, _embedded).
        self.key = (self.root, self.paths, self.zone)

    def __eq__(self, other):
        return isinstance(other, Site) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def iso(self, moment):
        """ISO 8601 with the offset of TIME_ZONE, or None."""
        return moment.astimezone(self.zone).isoformat() if moment else None

    def url(self, path):
        return path if "://" in path else self.root + path

    def of(self, name, slug):
        return self.root + self.paths.of(name, slug)


def article(row, *, site, fields, formats, include):
    """`row` (content_api/rows.py: an article's columns, author and tags) as the API shows it."""
    return {name: value(row, site) for name, value in _article_values(fields, formats, include)}


@lru_cache(maxsize=256)
def _article_values(fields, formats, include):
    """(name, function of row and site) for what a response shows, once per shape."""
    shown = [
        (name, _ARTICLE_VALUES[name]) for name in fields if name not in ("author", "tags") or name in include
    ]
    return (*shown, *((name, _FORMAT_VALUES[name]) for name in formats))


def _image(row, site):
    """The lead image: its URL and size, and for an uploaded one its renditions (narrower copies) by
    width, as WebP and in its own format. None when the article has none."""
    url = lead_image_url(row.image, row.image_url, row.body_image_url)
    if not url:
        return None
    image = {"url": site.url(url), "alt": row.image_alt, "width": None, "height": None, "renditions": []}
    if row.image:
        image["width"], image["height"] = row.image_width, row.image_height
        plan = row.image_renditions or {}
        for kind, mime in (("webp", "image/webp"), ("original", None)):
            for width, name in plan.get(kind, ()):
                image["renditions"].append(
                    {
                        "url": site.url(default_storage.url(name)),
                        "width": width,
                        "type": mime or _mime_of(name),
                    }
                )
    return image


def _mime_of(name):
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(extension, f"image/{extension}")


_ARTICLE_VALUES = {
    "id": lambda row, site: row.pk,
    "uuid": lambda row, site: str(row.uuid) if row.uuid else None,
    "slug": lambda row, site: row.slug,
    "title": lambda row, site: row.title,
    "url": lambda row, site: site.of("articles:detail", row.slug),
    "excerpt": lambda row, site: row.excerpt,
    "published_at": lambda row, site: site.iso(row.published),
    "updated_at": lambda row, site: site.iso(row.updated),
    "created_at": lambda row, site: site.iso(row.created),
    "locale": lambda row, site: row.locale,
    "canonical_url": lambda row, site: row.canonical_url or None,
    "reading_minutes": lambda row, site: row.reading_minutes,
    "image": _image,
    "front_matter": lambda row, site: row.front_matter_raw or None,
    "author": lambda row, site: row.author and _embedded_author(site, row.author),
    "tags": lambda row, site: [_embedded_tag(site, found) for found in row.tags],
}
_FORMAT_VALUES = {
    "html": lambda row, site: row.body_html,
    "markdown": lambda row, site: row.body,
    "plaintext": lambda row, site: html.unescape(strip_tags(row.body_html)).strip(),
}
# The article columns each field or format reads (the endpoints load no others).
COLUMNS = {
    "id": (),
    "uuid": ("uuid",),
    "slug": ("slug",),
    "title": ("title",),
    "url": ("slug",),
    "excerpt": ("excerpt",),
    "published_at": ("published",),
    "updated_at": ("updated",),
    "created_at": ("created",),
    "locale": ("locale",),
    "canonical_url": ("canonical_url",),
    "reading_minutes": ("reading_minutes",),
    "image": (
        "image",
        "image_alt",
        "image_width",
        "image_height",
        "image_renditions",
        "image_url",
        "body_image_url",
    ),
    "front_matter": ("front_matter_raw",),
    "author": ("author",),
    "tags": (),
    "html": ("body_html",),
    "markdown": ("body",),
    "plaintext": ("body_html",),
}


def author(row, *, site, fields):
    return {name: _AUTHOR_VALUES[name](row, site) for name in fields}


def tag(row, *, site, fields):
    return {name: _TAG_VALUES[name](row, site) for name in fields}


def _embedded_author(site, row):
    return _embedded("author", site, row.pk, row.slug, row.name, row.url)


def _embedded_tag(site, row):
    return _embedded("tag", site, row.pk, row.slug, row.name, None)


@lru_cache(maxsize=4096)
def _embedded(kind, site, pk, slug, name, website):
    """An author or tag as an article embeds it (no count), once per process for the same columns
    and site (a Site is equal to another of the same scheme and host, paths and time zone): the same
    few authors and tags are on most lists, and building their dicts (URL included) was a sixth of an
    uncached list's time. Keyed by every value it is made of, so an edit is a new key, never a stale
    dict; shared between responses, which only serialize it."""
    row = SimpleNamespace(pk=pk, slug=slug, name=name, url=website)
    if kind == "author":
        return author(row, site=site, fields=AUTHOR_FIELDS[:-1])
    return tag(row, site=site, fields=TAG_FIELDS[:-1])


_AUTHOR_VALUES = {
    "id": lambda row, site: row.pk,
    "slug": lambda row, site: row.slug,
    "name": lambda row, site: row.name,
    "url": lambda row, site: site.of("articles:author", row.slug),
    "website": lambda row, site: row.url or None,
    "count": lambda row, site: {"articles": row.public_articles},
}
_TAG_VALUES = {
    "id": lambda row, site: row.pk,
    "slug": lambda row, site: row.slug,
    "name": lambda row, site: row.name,
    "url": lambda row, site: site.of("articles:tag", row.slug),
    "count": lambda row, site: {"articles": row.public_articles},
}
