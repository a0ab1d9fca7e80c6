"""Read one front-matter Markdown file into a Seed: validated values, ready to become an Article.

Never touches the database. Every refusal is a SeedError whose text is the whole line a user sees:
the field, what was expected, what was found (README: "Front matter").
"""

import datetime as dt
import hashlib
import re
import unicodedata
import uuid as uuid_module
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify
from text_unidecode import unidecode

from .dates import NotADate, as_text, to_datetime
from .front_matter import FrontMatterError, split_front_matter
from .markdown import RENDER_VERSION
from .models import Status

# Part of every import hash: bump it when this module reads the same bytes into different values,
# so unchanged files are re-read once after an upgrade.
READER_VERSION = "1"
SLUG_MAX_LENGTH = 200
TITLE_MAX_LENGTH = 300
# First path segments the site uses itself: an article at one of them would shadow that page.
RESERVED_SLUGS = {"search", "author", "tag", "page", "feed.xml", "atom.xml", "feed", "atom"}

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


@dataclass
class Seed:
    path: Path
    digest: str
    title: str
    slug: str
    body: str
    status: Status
    published: dt.datetime | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    author_name: str = ""
    author_url: str = ""
    excerpt: str = ""
    image_url: str = ""
    image_path: str = ""
    locale: str = ""
    source: str = ""
    source_id: str = ""
    source_url: str = ""
    canonical_url: str = ""
    expires: dt.datetime | None = None
    uuid: uuid_module.UUID | None = None
    tags: list = field(default_factory=list)
    aliases: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    front_matter_raw: str = ""


def read_seed(path, *, max_bytes, time_zone):
    """Read and validate the file at `path`; raise SeedError naming the field for anything wrong."""
    raw, digest = read_file(path, max_bytes=max_bytes, time_zone=time_zone)
    return parse_seed(raw, path=Path(path), digest=digest, time_zone=time_zone)


def read_file(path, *, max_bytes, time_zone):
    """(bytes, import hash) of the file, refused before reading when it is over `max_bytes`. The hash
    covers the renderer's and this reader's versions and the time zone: changing any re-imports."""
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise SeedError(f"file is {size:,} bytes, over the limit of {max_bytes:,} (IMPORT_MAX_FILE_BYTES)")
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw + f"|{RENDER_VERSION}|{READER_VERSION}|{time_zone}".encode()).hexdigest()
    return raw, digest


def parse_seed(raw, *, path, digest, time_zone):
    if not raw.strip():
        raise SeedError("file is empty")
    if b"\x00" in raw:
        raise SeedError("not a text file (it contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"not UTF-8 (invalid byte at offset {exc.start})") from exc
    try:
        meta, body, front_matter_raw = split_front_matter(text)
    except FrontMatterError as exc:
        raise SeedError(str(exc)) from exc
    seed = _seed_from(meta, body, path=path, digest=digest, time_zone=time_zone)
    seed.front_matter_raw = front_matter_raw
    return seed


def _blank(value):
    """A key written but left empty, spaces and tabs included, reads as no key at all: `title: "  "`
    is a missing title, not an empty one."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _first(meta, keys):
    for key in keys:
        if not _blank(meta.get(key)):
            return key, meta[key]
    return None, None


def _text(meta, keys, *, required=False, max_length=None):
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


def _seed_from(meta, body, *, path, digest, time_zone):
    warnings = []
    title = _title(meta, path)
    slug = _slug(meta, title, path)
    status = _status(meta)
    published = _date(meta, PUBLISHED_KEYS, time_zone, warnings, skip_bools=True)
    created = _date(meta, CREATED_KEYS, time_zone, warnings)
    updated = _date(meta, UPDATED_KEYS, time_zone, warnings)
    if published is None:
        published = _jekyll_date(path, time_zone) or created
    author_name, author_url, authors = _author(meta)
    extra = {key: as_text(value) for key, value in meta.items() if key not in MODELLED_KEYS}
    if path.suffix.lower() == ".mdx":
        warnings.append("MDX: JSX components and expressions are not rendered; the Markdown is")
    if len(authors) > 1 and "authors" not in extra:
        extra["authors"] = authors
    image_url, image_path = _image(meta, warnings)
    source_url = _url(meta, SOURCE_URL_KEYS, warnings)
    canonical_url = _url(meta, ("canonical_url", "canonical"), warnings)
    return Seed(
        path=path,
        digest=digest,
        title=title,
        slug=slug,
        body=body,
        status=status,
        published=published,
        created=created,
        updated=updated,
        author_name=author_name,
        author_url=author_url,
        excerpt=_text(meta, EXCERPT_KEYS),
        image_url=image_url,
        image_path=image_path,
        locale=_locale(meta),
        source=_text(meta, ("source",), max_length=100),
        source_id=_text(meta, ("source_id",), max_length=100),
        source_url=source_url,
        canonical_url=canonical_url,
        expires=_date(meta, EXPIRES_KEYS, time_zone, warnings),
        uuid=_uuid(meta),
        tags=_tags(meta),
        aliases=_aliases(meta),
        extra=extra,
        warnings=warnings,
    )


def _uuid(meta):
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


def _tags(meta):
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


def _aliases(meta):
    paths = []
    for key in ALIAS_KEYS:
        paths += [path.strip() for path in _strings(meta, key, split=lambda text: [text]) if path.strip()]
    return paths


def _title(meta, path):
    if not _blank(meta.get("title")):
        return _text(meta, TITLE_KEYS, required=True, max_length=TITLE_MAX_LENGTH)
    jekyll = _JEKYLL_NAME.match(path.stem)
    if jekyll:
        # Jekyll titles a dated post from its file name when the front matter has none.
        words = re.sub(r"[-_]+", " ", jekyll["slug"]).strip()
        return words[:1].upper() + words[1:]
    raise SeedError("title is missing")


def _slug(meta, title, path):
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
    if slug.lower() in RESERVED_SLUGS:
        raise SeedError(f"slug: {slug!r} is a path the site uses itself; choose another slug")
    return slug


def slug_from_title(title):
    """A stable, readable slug: Latin-script titles become ASCII (Đường phố → duong-pho, Größe →
    grosse); a title with no Latin letters keeps its own script."""
    has_latin = any(ch.isalpha() and "LATIN" in unicodedata.name(ch, "") for ch in title)
    slug = slugify(unidecode(title)) if has_latin else slugify(title, allow_unicode=True)
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def _status(meta):
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


def _date(meta, keys, time_zone, warnings, *, skip_bools=False):
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


def _jekyll_date(path, time_zone):
    match = _JEKYLL_NAME.match(path.stem)
    if not match:
        return None
    try:
        return to_datetime(match["date"], time_zone)[0]
    except NotADate:
        return None


def _author(meta):
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


def _image(meta, warnings):
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


def _url(meta, keys, warnings):
    key, value = _first(meta, keys)
    if key is None:
        return ""
    if not isinstance(value, str) or not _URL.match(value.strip()) or len(value) > 1000:
        warnings.append(f"{key}: {as_text(value)!r} is not an http(s) address; ignored")
        return ""
    return value.strip()


def _locale(meta):
    value = _text(meta, LOCALE_KEYS, max_length=35)
    if value and not re.fullmatch(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*", value):
        raise SeedError(f"locale: {value!r} is not a language tag such as en or pt-BR")
    return value.replace("_", "-")
