"""Read one front-matter Markdown file into a Seed: validated values, ready to become an Article.

Never touches the database. Every refusal is a SeedError whose text is the whole line a user sees:
the field, what was expected, what was found (README: "Front matter").
"""

import datetime as dt
import hashlib
import uuid as uuid_module
from dataclasses import dataclass, field
from pathlib import Path

from . import translations
from .dates import as_text
from .front_matter import FrontMatterError, split_front_matter
from .markdown import RENDER_VERSION
from .models import Status
from .seed_fields import (
    CREATED_KEYS,
    EXCERPT_KEYS,
    EXPIRES_KEYS,
    MODELLED_KEYS,
    PUBLISHED_KEYS,
    SOURCE_URL_KEYS,
    UPDATED_KEYS,
    SeedError,
    read_aliases,
    read_author,
    read_date,
    read_image,
    read_jekyll_date,
    read_locale,
    read_slug,
    read_status,
    read_tags,
    read_text,
    read_title,
    read_url,
    read_uuid,
)

# Part of every import hash: bump it when this module reads the same bytes into different values,
# so unchanged files are re-read once after an upgrade.
READER_VERSION = "2"  # 2: translation keys and languages from file names


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
    translation_key: str = ""
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
    seed = seed_from_front_matter(meta, body, path=path, digest=digest, time_zone=time_zone)
    seed.front_matter_raw = front_matter_raw
    return seed


def seed_from_front_matter(meta, body, *, path, digest, time_zone):
    """The Seed of a front matter mapping already split from its file (split_front_matter)."""
    warnings = []
    title = read_title(meta, path)
    slug = read_slug(meta, title, path)
    status = read_status(meta)
    published = read_date(meta, PUBLISHED_KEYS, time_zone, warnings, skip_bools=True)
    created = read_date(meta, CREATED_KEYS, time_zone, warnings)
    updated = read_date(meta, UPDATED_KEYS, time_zone, warnings)
    if published is None:
        published = read_jekyll_date(path, time_zone) or created
    author_name, author_url, authors = read_author(meta)
    extra = {key: as_text(value) for key, value in meta.items() if key not in MODELLED_KEYS}
    if path.suffix.lower() == ".mdx":
        warnings.append("MDX: JSX components and expressions are not rendered; the Markdown is")
    if len(authors) > 1 and "authors" not in extra:
        extra["authors"] = authors
    image_url, image_path = read_image(meta, warnings)
    source_url = read_url(meta, SOURCE_URL_KEYS, warnings)
    canonical_url = read_url(meta, ("canonical_url", "canonical"), warnings)
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
        excerpt=read_text(meta, EXCERPT_KEYS),
        image_url=image_url,
        image_path=image_path,
        locale=read_locale(meta) or translations.file_language(path),
        translation_key=read_text(
            meta, translations.TRANSLATION_KEYS, max_length=translations.TRANSLATION_KEY_MAX_LENGTH
        )
        or translations.key_from_file_name(path),
        source=read_text(meta, ("source",), max_length=100),
        source_id=read_text(meta, ("source_id",), max_length=100),
        source_url=source_url,
        canonical_url=canonical_url,
        expires=read_date(meta, EXPIRES_KEYS, time_zone, warnings),
        uuid=read_uuid(meta),
        tags=read_tags(meta),
        aliases=read_aliases(meta),
        extra=extra,
        warnings=warnings,
    )
