"""Slugs made from titles and names, the one way the importer makes them. Needs no app loaded:
bench/synthetic plans its authors' and tags' slugs with it."""

import unicodedata

from django.utils.text import slugify
from text_unidecode import unidecode

SLUG_MAX_LENGTH = 200
# Addresses under /blog/ that the site itself uses (articles/urls.py): no article may take them.
RESERVED_SLUGS = {"search", "author", "tag", "page", "feed.xml", "atom.xml", "feed.json", "feed", "atom"}


def slug_from_title(title):
    """A stable, readable slug: Latin-script titles become ASCII (Đường phố → duong-pho, Größe →
    grosse); a title with no Latin letters keeps its own script."""
    has_latin = any(ch.isalpha() and "LATIN" in unicodedata.name(ch, "") for ch in title)
    slug = slugify(unidecode(title)) if has_latin else slugify(title, allow_unicode=True)
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def reserved_slug_reason(slug):
    """Why an article cannot have this slug, or None: the one sentence the importer and the admin
    both give."""
    if slug.lower() in RESERVED_SLUGS:
        return f"{slug!r} is a path the site uses itself; choose another slug"
    return None


def first_free_slug(slug, taken):
    """`slug`, or the first of slug-2, slug-3, ... for which `taken(candidate)` is false."""
    candidate, number = slug, 1
    while taken(candidate) or reserved_slug_reason(candidate):
        number += 1
        suffix = f"-{number}"
        candidate = f"{slug[: SLUG_MAX_LENGTH - len(suffix)].rstrip('-')}{suffix}"
    return candidate
