"""Articles back to front-matter Markdown files: the other half of the importer's round trip.

An imported article nobody edited since is written back byte for byte (its raw front matter and
its body, both kept at import), unless the site gave it a date its file does not hold: a file
without any date is published at its import time, and an article whose content changed on a
re-import was updated then. Those dates are added as new keys after the opening delimiter, in the
file's own format, and every other byte stays. Any other article is written as YAML front matter
(the YAML handler's export, in the mapping's key order) that keeps the original keys in their
order, unknown keys, and original date strings wherever the value did not change; old slugs become
`aliases`. Importing an export into an empty database gives the same articles. Never prints, never
exits.
"""

import datetime as dt
import uuid
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.redirects.models import Redirect

from .front_matter import FrontMatterError, add_keys, split_front_matter, yaml_front_matter
from .models import Article, Status
from .seed_fields import (
    CREATED_KEYS,
    EXCERPT_KEYS,
    EXPIRES_KEYS,
    IMAGE_KEYS,
    LOCALE_KEYS,
    PUBLISHED_KEYS,
    SOURCE_URL_KEYS,
    TAG_KEYS,
    UPDATED_KEYS,
)
from .seeds import SeedError, seed_from_front_matter
from .translations import TRANSLATION_KEYS

# Where an added publication date goes: `date` first, the key Jekyll, Hugo, Zola and Eleventy read,
# so the exported file still works with the generator it came from.
ADDED_PUBLISHED_KEYS = ("date", *(key for key in PUBLISHED_KEYS if key != "date"))


def export_articles(outdir):
    """Write every article into `outdir`; return [(path, how)], `how` as article_file_text says."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written, taken = [], set()
    articles = Article.objects.select_related("author").prefetch_related("tags").order_by("pk")
    redirects = _old_paths_by_target()
    for article in articles.iterator(chunk_size=500):
        name = article.source_name or f"{article.slug}.md"
        target = outdir / name
        if target in taken:
            # Two sources called index.md (page bundles): a folder per slug keeps both names.
            target = outdir / article.slug / name
            target.parent.mkdir(exist_ok=True)
        taken.add(target)
        text, how = article_file_text(article, old_paths=redirects.get(article.get_absolute_url(), []))
        target.write_bytes(text.encode("utf-8"))
        written.append((target, how))
    return written


def article_file_text(article, *, old_paths):
    """The file for `article` and how it was made: "as imported", "keys added" (dates, a translation
    key the site gave it that its file does not hold) or "rewritten".
    `old_paths`: the paths that redirect to the article (its old slugs), oldest first."""
    meta, original = _original(article)
    if article.front_matter_raw and not article.edited_since_import:
        added = _dates_not_in_file(article, meta, original)
        if added is not None and article.translation_key and not any(key in meta for key in TRANSLATION_KEYS):
            # A key its file name gave: written out, so the set holds wherever the file goes next.
            added[TRANSLATION_KEYS[0]] = article.translation_key
        if added == {}:
            return article.front_matter_raw + article.body, "as imported"
        if added is not None:
            return add_keys(article.front_matter_raw, added) + article.body, "keys added"
    rewritten = _rewritten_front_matter(article, meta, original, old_paths)
    return yaml_front_matter(rewritten) + article.body, "rewritten"


def _dates_not_in_file(article, meta, original):
    """{new key: ISO date} for the dates the article has and its file does not give, or None when
    the file gives other dates than the article's (it is then rewritten)."""
    if original is None:
        return None
    added = {}
    if article.published != original.published:
        if original.published is not None or article.published is None:
            return None
        added[_absent_key(meta, ADDED_PUBLISHED_KEYS)] = article.published.isoformat()
    # With no updated date in the file, an import takes the publication date, else the created one.
    if article.updated != (original.updated or article.published or original.created):
        if original.updated is not None or article.updated is None:
            return None
        added[_absent_key(meta, UPDATED_KEYS)] = article.updated.isoformat()
    return None if None in added else added


def _absent_key(meta, keys):
    """The first of `keys` the front matter does not have at all: a blank key written twice would
    be refused by TOML and would win in YAML."""
    return next((key for key in keys if key not in meta), None)


def _original(article):
    """(front matter mapping in file order, the Seed it gave), or ({}, None) for admin-made articles.
    The front matter is parsed once: the mapping and the Seed come from the same reading."""
    if not article.front_matter_raw.strip():
        return {}, None
    try:
        meta, body, _ = split_front_matter(article.front_matter_raw)
        seed = seed_from_front_matter(
            meta,
            body,
            path=Path(article.source_name or "article.md"),
            digest="",
            time_zone=settings.TIME_ZONE,
        )
    except (SeedError, FrontMatterError):
        return {}, None
    return meta, seed


def _written(value):
    """A value as front matter holds it: datetimes as ISO strings, UUIDs as text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _rewritten_front_matter(article, meta, original, old_paths):
    meta = {key: _plain(value) for key, value in meta.items()}
    tags = [tag.name for tag in article.tags.all()]
    fields = [
        # (current value, keys it may be under, the value the original file gave)
        (article.title, ("title",), "title"),
        (article.slug, ("slug",), "slug"),
        (article.author.name if article.author else "", ("author", "authors"), "author_name"),
        (article.published, PUBLISHED_KEYS, "published"),
        (article.created, CREATED_KEYS, "created"),
        (article.updated, UPDATED_KEYS, "updated"),
        (article.expires, EXPIRES_KEYS, "expires"),
        (article.excerpt, EXCERPT_KEYS, "excerpt"),
        (article.image_url, IMAGE_KEYS, "image_url"),
        (article.locale, LOCALE_KEYS, "locale"),
        (article.translation_key, TRANSLATION_KEYS, "translation_key"),
        (article.canonical_url, ("canonical_url", "canonical"), "canonical_url"),
        (article.source, ("source",), "source"),
        (article.source_id, ("source_id",), "source_id"),
        (article.source_url, SOURCE_URL_KEYS, "source_url"),
        (article.uuid, ("uuid",), "uuid"),
    ]
    for current, keys, seed_field in fields:
        _set(meta, keys, current, getattr(original, seed_field, None) if original else None)
    before_tags = [name for _, name in original.tags] if original else []
    if sorted(tags) != sorted(before_tags):
        for key in TAG_KEYS[1:]:
            meta.pop(key, None)
        meta["tags"] = tags
    status_before = original.status if original else Status.PUBLISHED
    if article.status != status_before or (not original and article.status != Status.PUBLISHED):
        meta.pop("draft", None)
        if isinstance(meta.get("published"), bool):
            meta.pop("published")
        meta["status"] = str(article.status)
    for key, value in article.extra.items():
        if key != "authors":
            meta.setdefault(key, value)
    if old_paths:
        existing = meta.get("aliases") or []
        existing = existing if isinstance(existing, list) else [existing]
        meta["aliases"] = existing + [path for path in old_paths if path not in existing]
    return meta


def _set(meta, keys, current, before):
    """Write `current` under the key the file used (or the first alias) unless it did not change,
    so untouched values keep their original spelling (dates as written, quoting, lists)."""
    if (current or None) == (before or None):
        return
    present = next(
        (key for key in keys if meta.get(key) not in (None, "") and not isinstance(meta[key], bool)), None
    )
    if current in ("", None):
        if present:
            meta.pop(present)
        return
    # dev.to's `published: false` is a status, not a date: a date goes under the next key.
    free = next(key for key in keys if not isinstance(meta.get(key), bool))
    meta[present or free] = _written(current)


def _old_paths_by_target():
    """{new path: [old paths, oldest first]} of every redirect, in one query for the whole export."""
    found = defaultdict(list)
    for old_path, new_path in Redirect.objects.order_by("pk").values_list("old_path", "new_path"):
        found[new_path].append(old_path)
    return found


def _plain(value):
    """Values safe_dump can write: TOML dates and times become ISO strings."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
