"""Slugs made from titles and names, the one way the importer makes them. Needs no app loaded:
bench/synthetic plans its authors' and tags' slugs with it."""

import unicodedata

from django.utils.text import slugify
from text_unidecode import unidecode

SLUG_MAX_LENGTH = 200


def slug_from_title(title):
    """A stable, readable slug: Latin-script titles become ASCII (Đường phố → duong-pho, Größe →
    grosse); a title with no Latin letters keeps its own script."""
    has_latin = any(ch.isalpha() and "LATIN" in unicodedata.name(ch, "") for ch in title)
    slug = slugify(unidecode(title)) if has_latin else slugify(title, allow_unicode=True)
    return slug[:SLUG_MAX_LENGTH].rstrip("-")
