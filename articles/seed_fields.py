"""Front matter keys and one reader per field: `read_title(meta, path)`, `read_date(meta, keys, ...)`
and so on, each returning the field's value or raising SeedError naming the field, what was expected
and what was found. The key tables say which keys a field is read from, first found wins (README:
"Front matter"). Never touches the database or the file system.
"""

import re
import uuid as uuid_module

from .dates import NotADate, as_text, to_datetime
from .models import Status
from .slugs import SLUG_MAX_LENGTH, reserved_slug_reason, slug_from_title
from .translations import TRANSLATION_KEYS

TITLE_MAX_LENGTH = 300

PUBLISHED_WORDS = {"published", "publish", "live", "imported", "public"}
DRAFT_WORDS = {"draft", "private", "unpublished"}

# Aliases, first match wins (README: "Field aliases").
TITLE_KEYS = ("title",)
PUBLISHED_KEYS = (
    "published",
    "date",
    "publishDate",
    "publish_date",
    "pubDate",
    "published_at",
    "publishedAt",
)
CREATED_KEYS = ("created", "created_at", "createdAt")
UPDATED_KEYS = (
    "updated",
    "lastmod",
    "last_modified_at",
    "modified_date",
    "modified",
    "updated_at",
    "updatedAt",
    "dateModified",
)
EXCERPT_KEYS = ("excerpt", "description", "summary")
IMAGE_KEYS = (
    "image",
    "cover_image",
    "coverImage",
    "heroImage",
    "featured_image",
    "cover",
    "images",
    "header",
)
LOCALE_KEYS = ("locale", "lang", "language")
SOURCE_URL_KEYS = ("url", "source_url")
EXPIRES_KEYS = ("expires", "expiryDate", "expiry_date", "unpublishDate", "unpublish_date")
TAG_KEYS = ("tags", "categories", "category")
ALIAS_KEYS = ("aliases", "redirect_from")
TAG_MAX_LENGTH = 100
MODELLED_KEYS = {
    *TRANSLATION_KEYS,
    "slug",
    "author",
    "status",
    "draft",
    "source",
    "source_id",
    "canonical_url",
    "uuid",
    *TITLE_KEYS,
    *PUBLISHED_KEYS,
    *CREATED_KEYS,
    *UPDATED_KEYS,
    *EXCERPT_KEYS,
    *LOCALE_KEYS,
    *SOURCE_URL_KEYS,
    *EXPIRES_KEYS,
    *TAG_KEYS,
    *ALIAS_KEYS,
}

_JEKYLL_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)$")
_SLUG = re.compile(r"^[-\w]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class SeedError(Exception):
    """A file we refuse to import. str(exc) is the whole message the user sees."""


def _blank(value):
    """A key written but left empty, spaces and tabs included, reads as no key at all: `title: "  "`
    is a missing title, not an empty one."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _first(meta, keys):
    for key in keys:
        if not _blank(meta.get(key)):
            return key, meta[key]
    return None, None


def read_text(meta, keys, *, required=False, max_length=None):
    key, value = _first(meta, keys)
    if key is None:
        if required:
            raise SeedError(f"{keys[0]} is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SeedError(f"{key}: expected text, found {_kind(value)}")
    value = str(value).strip()
    if max_length and len(value) > max_length:
        raise SeedError(f"{key}: {len(value)} characters, longer than the {max_length} allowed")
    return value


def _kind(value):
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)


def read_uuid(meta):
    value = meta.get("uuid")
    if _blank(value):
        return None
    try:
        return uuid_module.UUID(str(value))
    except ValueError as exc:
        raise SeedError(f"uuid: {value!r} is not a UUID") from exc


def _strings(meta, key, *, split):
    """A list of strings from a list or a string; `split` breaks a string into several."""
    value = meta.get(key)
    if _blank(value):
        return []
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return split(str(value))
    if isinstance(value, list) and all(
        isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
    ):
        return [str(item) for item in value]
    raise SeedError(f"{key}: expected a list of names or a string, found {_kind(value)}")


def _split_tags(text):
    # dev.to writes "a, b"; Jekyll splits a plain string on spaces.
    return text.split(",") if "," in text else text.split()


def read_tags(meta):
    """Tags from tags, categories and category: names in order, without repeats (by slug)."""
    names = {}
    for key in TAG_KEYS:
        for name in _strings(meta, key, split=_split_tags):
            name = " ".join(name.split())
            if not name:
                continue
            if len(name) > TAG_MAX_LENGTH:
                raise SeedError(
                    f"{key}: {name[:30]!r}… is longer than the {TAG_MAX_LENGTH} characters allowed"
                )
            slug = slug_from_title(name)[:TAG_MAX_LENGTH]
            if slug:
                names.setdefault(slug, name)
    return list(names.items())


def read_aliases(meta):
    paths = []
    for key in ALIAS_KEYS:
        paths += [path.strip() for path in _strings(meta, key, split=lambda text: [text]) if path.strip()]
    return paths


def read_title(meta, path):
    if not _blank(meta.get("title")):
        return read_text(meta, TITLE_KEYS, required=True, max_length=TITLE_MAX_LENGTH)
    jekyll = _JEKYLL_NAME.match(path.stem)
    if jekyll:
        # Jekyll titles a dated post from its file name when the front matter has none.
        words = re.sub(r"[-_]+", " ", jekyll["slug"]).strip()
        return words[:1].upper() + words[1:]
    raise SeedError("title is missing")


def read_slug(meta, title, path):
    if not _blank(meta.get("slug")):
        raw = meta["slug"]
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise SeedError(f"slug: expected text, found {_kind(raw)}")
        slug = str(raw).strip().strip("/")
        if not _SLUG.match(slug):
            raise SeedError(f"slug: {slug!r} is not a valid slug (letters, digits, - and _ only)")
    elif _JEKYLL_NAME.match(path.stem):
        # Jekyll's URL is the file name's slug: keeping it keeps a migrated site's links working.
        slug = slug_from_title(_JEKYLL_NAME.match(path.stem)["slug"])
    else:
        slug = slug_from_title(title)
        if not slug:
            raise SeedError(f"slug is missing and cannot be made from the title {title!r}")
    if len(slug) > SLUG_MAX_LENGTH:
        raise SeedError(f"slug: {len(slug)} characters, longer than the {SLUG_MAX_LENGTH} allowed")
    if reason := reserved_slug_reason(slug):
        raise SeedError(f"slug: {reason}")
    return slug


def read_status(meta):
    """Map status/draft/published-as-boolean to our two states (README: "Status and dates")."""
    status = Status.PUBLISHED
    if not _blank(meta.get("status")):
        word = meta["status"]
        if not isinstance(word, str) or word.strip().lower() not in PUBLISHED_WORDS | DRAFT_WORDS:
            allowed = ", ".join(sorted(PUBLISHED_WORDS | DRAFT_WORDS))
            raise SeedError(f"status: {word!r} is not one of {allowed}")
        status = Status.DRAFT if word.strip().lower() in DRAFT_WORDS else Status.PUBLISHED
    draft = meta.get("draft")
    if draft is not None and not isinstance(draft, bool):
        raise SeedError(f"draft: expected true or false, found {draft!r}")
    if draft:
        status = Status.DRAFT
    if meta.get("published") is False:  # dev.to: published: false is a draft
        status = Status.DRAFT
    return status


def read_date(meta, keys, time_zone, warnings, *, skip_bools=False):
    for key in keys:
        value = meta.get(key)
        if _blank(value) or (skip_bools and isinstance(value, bool)):
            continue
        try:
            moment, naive = to_datetime(value, time_zone)
        except NotADate as exc:
            reason = "" if str(exc) == "not a date" else f" ({exc})"
            raise SeedError(f"{key}: {as_text(value)!r} is not a date{reason}") from exc
        if naive:
            warnings.append(f"{key}: {as_text(value)!r} has no time zone; read as {time_zone}")
        return moment
    return None


def read_jekyll_date(path, time_zone):
    match = _JEKYLL_NAME.match(path.stem)
    if not match:
        return None
    try:
        return to_datetime(match["date"], time_zone)[0]
    except NotADate:
        return None


def read_author(meta):
    key, value = _first(meta, ("author", "authors"))
    if key is None:
        return "", "", []
    entries = value if isinstance(value, list) else [value]
    authors = []
    for entry in entries:
        if isinstance(entry, dict):
            name = _first(entry, ("name", "title"))[1]
            url = _first(entry, ("url", "link"))[1] or ""
        else:
            name, url = entry, ""
        if _blank(name):
            raise SeedError(f"{key}: name is missing")
        if not isinstance(name, (str, int)) or isinstance(name, bool):
            raise SeedError(f"{key}: expected a name, found {_kind(name)}")
        name, linked_url = _unlink(str(name))
        if not name:
            raise SeedError(f"{key}: name is missing (the link has no text)")
        url = str(url or linked_url)
        authors.append({"name": name[:200], "url": url if _URL.match(url) else ""})
    first = authors[0]
    return first["name"], first["url"], authors


_MARKDOWN_LINK = re.compile(r"^\[(?P<name>[^\]]+)\]\((?P<url>[^)\s]+)\)$")
_HTML_LINK = re.compile(
    r"""^<a\s[^>]*href=["'](?P<url>[^"']+)["'][^>]*>(?P<name>.*?)</a>$""", re.IGNORECASE | re.DOTALL
)


def _unlink(name):
    """Themes write authors as a Markdown or HTML link; keep the name and the address apart. The
    name is empty when the link's text is."""
    name = name.strip()
    match = _MARKDOWN_LINK.match(name) or _HTML_LINK.match(name)
    if match is None:
        return name, ""
    return re.sub(r"<[^>]+>", "", match["name"]).strip(), match["url"]


def read_image(meta, warnings):
    """(remote URL, relative path) of the lead image; the importer stores a relative one."""
    key, value = _first(meta, IMAGE_KEYS)
    if key is None:
        return "", ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url") or value.get("src") or value.get("image") or ""
    if not isinstance(value, str) or not value.strip():
        return "", ""
    value = value.strip()
    if _URL.match(value):
        return value[:1000], ""
    if value.startswith("/") or ":" in value.split("/", 1)[0]:
        warnings.append(
            f"{key}: {value!r} is a path on the original site, not a file next to this one; "
            "the article has no lead image"
        )
        return "", ""
    return "", value


def read_url(meta, keys, warnings):
    key, value = _first(meta, keys)
    if key is None:
        return ""
    if not isinstance(value, str) or not _URL.match(value.strip()) or len(value) > 1000:
        warnings.append(f"{key}: {as_text(value)!r} is not an http(s) address; ignored")
        return ""
    return value.strip()


def read_locale(meta):
    value = read_text(meta, LOCALE_KEYS, max_length=35)
    if value and not re.fullmatch(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*", value):
        raise SeedError(f"locale: {value!r} is not a language tag such as en or pt-BR")
    return value.replace("_", "-")
