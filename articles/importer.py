"""Turn front-matter Markdown files into Article rows.

`import_paths()` returns an ImportReport; it never prints, never exits, and writes each file in a
savepoint of its own, so a failed file leaves no rows. Dry run is the same code rolled back.
"""

import hashlib
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from publishing import outbox

from .identities import ArticleIdentities
from .images import ImageError
from .images.imports import ImportedImages, image_references
from .import_workers import default_jobs, read_ahead
from .models import Article, Author, Status, Tag
from .redirects import redirect_old_path
from .seed_fields import slug_from_title
from .seeds import SeedError, parse_seed, read_file
from .translations import same_language, site_language

logger = logging.getLogger(__name__)
SEED_SUFFIXES = {".md", ".markdown", ".mdx", ".txt"}
ACTIONS = ("created", "updated", "unchanged", "skipped", "failed")
# Files per transaction: each file is still its own savepoint, but one commit per file would make a
# 10,000-file import spend most of its time committing.
BATCH_SIZE = 200
# Seed fields copied onto the article as they are.
COPIED_FIELDS = (
    "title",
    "slug",
    "body",
    "status",
    "excerpt",
    "image_url",
    "locale",
    "translation_key",
    "source",
    "source_id",
    "source_url",
    "canonical_url",
    "created",
    "expires",
    "uuid",
    "extra",
)


@dataclass
class FileOutcome:
    path: Path
    action: str
    slug: str = "-"
    detail: str = ""
    warnings: list = field(default_factory=list)
    # field -> (old, new), in a form fit for a person and for JSON (the body as hashes and line counts)
    changes: dict = field(default_factory=dict)

    @property
    def changed(self):
        return list(self.changes)

    @property
    def line(self):
        return f"{self.action} {self.path} {self.slug} {self.detail}".rstrip()

    @property
    def error_line(self):
        """The line number in the file that the parser named, if it named one."""
        match = re.search(r"\(at line (\d+)|\(line (\d+)\)", self.detail) if self.action == "failed" else None
        return int(match[1] or match[2]) if match else None

    def as_json(self):
        return {
            "path": str(self.path),
            "outcome": self.action,
            "slug": None if self.slug == "-" else self.slug,
            "changed": {name: {"old": old, "new": new} for name, (old, new) in self.changes.items()},
            "warnings": self.warnings,
            "error": {"message": self.detail, "line": self.error_line} if self.action == "failed" else None,
        }


@dataclass
class ImportReport:
    """Counts per outcome, and the outcomes themselves unless the caller streams them (a 10,000-file
    import then keeps no per-file state)."""

    outcomes: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    dry_run: bool = False
    keep_outcomes: bool = True

    def add(self, outcome):
        self.counts[outcome.action] += 1
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    def count(self, action):
        return self.counts[action]

    def summary(self):
        return {
            **{action: self.count(action) for action in ACTIONS},
            "elapsed_seconds": round(self.elapsed, 3),
            "dry_run": self.dry_run,
        }

    def summary_line(self):
        counts = ", ".join(f"{self.count(action)} {action}" for action in ACTIONS)
        return f"{counts} in {self.elapsed:.1f}s"


def find_seed_files(paths):
    """Every seed file under `paths` (files as given; folders searched recursively), in sorted order."""
    found = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SEED_SUFFIXES)
        else:
            found.add(path)
    return sorted(found)


def import_paths(
    paths,
    *,
    dry_run=False,
    strict=False,
    force=False,
    fetch_images=False,
    jobs=None,
    on_outcome=None,
    on_progress=None,
    keep_outcomes=True,
):
    """Import every seed file under `paths`. `strict`: all or nothing for the whole batch;
    `fetch_images`: download remote images too (local ones next to a file are always stored);
    `jobs`: processes that parse and render (1: this one alone; None: every core for a large import),
    while this process alone writes, in file order, with the same outcomes whatever the number.
    `on_outcome(outcome)` hears of each file as it is done; `on_progress(done, total)` too."""
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run, keep_outcomes=keep_outcomes)
    batch = _Batch(force=force, fetch_images=fetch_images)
    files = find_seed_files(paths)
    size = len(files) if strict or dry_run else BATCH_SIZE
    loaded = read_ahead(
        files,
        read=_read,
        known_hashes=batch.identities.by_hash,
        jobs=default_jobs(len(files)) if jobs is None else jobs,
        time_zone=settings.TIME_ZONE,
        file_timeout=settings.IMPORT_FILE_TIMEOUT or None,
    )
    try:
        for _ in range(0, max(len(files), 1), size or 1):
            # One transaction per batch. One publish event per changed article, written at the
            # batch's end; our page cache is told once per batch, after its commit, not once per file.
            with outbox.batch():
                for file in islice(loaded, size or 1):
                    outcome = batch.import_file(file)
                    report.add(outcome)
                    if on_outcome:
                        on_outcome(outcome)
                    if on_progress:
                        on_progress(sum(report.counts.values()), len(files))
                batch.write_tag_links()
                batch.write_history()
                batch.write_search_vectors()
                if dry_run or (strict and report.count("failed")):
                    transaction.set_rollback(True)
    finally:
        loaded.close()  # stops the workers, also when an error ends the import early
    report.elapsed = time.perf_counter() - started
    return report


def _read(path):
    return read_file(path, max_bytes=settings.IMPORT_MAX_FILE_BYTES, time_zone=settings.TIME_ZONE)


class _Batch:
    """State shared by the files of one run: the slugs claimed so far and the import time."""

    def __init__(self, *, force, fetch_images):
        self.force = force
        self.images = ImportedImages(fetch_remote=fetch_images)
        self.now = timezone.now()
        # slug -> the path (as text: a Path object costs several times more, for each file of a
        # 100,000-file run) of the file that claimed it first in this run.
        self.claimed = {}
        self.languages_claimed = {}  # (translation key, language) -> the file that has it
        self.identities = ArticleIdentities.load()
        # Authors and tags by slug, filled only from files that committed their savepoint (a rolled
        # back file's rows must not be reused).
        self.authors, self.tags = {}, {}
        self.history = {"created": [], "updated": []}
        # The tag links of the articles this batch created, written in one INSERT at its end.
        self.tag_links, self.new_tag_links = [], []
        # The articles whose search text this batch changed: their vectors in one UPDATE at its end.
        self.stale_search_vectors = []

    def write_history(self):
        """One version per article this batch created or changed, so an import is in the article's
        history like any other save, in two bulk INSERTs."""
        for action, articles in self.history.items():
            if articles:
                Article.history.bulk_history_create(
                    articles,
                    update=action == "updated",
                    default_change_reason="import",
                    default_date=self.now,
                )
            articles.clear()

    def write_search_vectors(self):
        """The search vectors of the articles this batch wrote, in one UPDATE (PostgreSQL; none on
        SQLite), inside the batch's transaction like the rows themselves."""
        if self.stale_search_vectors:
            Article.objects.filter(pk__in=self.stale_search_vectors).refresh_search_vector()
        self.stale_search_vectors = []

    def write_tag_links(self):
        """The new articles' tag links, before the batch's events read them (outbox.batch)."""
        if self.tag_links:
            Article.tags.through.objects.bulk_create(self.tag_links)
        self.tag_links = []

    def import_file(self, file):
        """The outcome of one LoadedFile (import_workers), written in a savepoint of its own."""
        path = file.path
        if file.read_error:
            return FileOutcome(path, "failed", detail=file.read_error)
        known = self.identities.by_hash.get(file.digest)
        if known is not None and not known.met:
            # Bytes we imported before: unchanged, without parsing or rendering, so re-importing a
            # large unchanged tree costs little more than reading it. A flag on the article, not a
            # set of every digest met, so that memory does not grow with the files of the run: only
            # a digest some article has can make a file "unchanged".
            known.met = True
            self.claimed.setdefault(known.slug, str(path))
            return FileOutcome(path, "unchanged", slug=known.slug)
        prepared = file.prepared
        if prepared is None:
            try:
                seed = parse_seed(file.raw, path=Path(path), digest=file.digest, time_zone=settings.TIME_ZONE)
            except SeedError as exc:
                return FileOutcome(path, "failed", detail=str(exc))
            rendered = None
        elif prepared.error:
            return FileOutcome(path, "failed", detail=prepared.error)
        else:
            seed, rendered = prepared.seed, prepared.rendered
            seed.digest = file.digest  # one string for the run's indexes, not a copy from the worker
        self.new_authors, self.new_tags, self.new_tag_links = {}, {}, []
        self.images.new_file()
        try:
            with transaction.atomic():
                outcome, article = self._apply(seed, rendered)
        except SeedError as exc:
            return FileOutcome(path, "failed", slug=seed.slug, detail=str(exc), warnings=seed.warnings)
        except DatabaseError as exc:
            detail = f"the database refused the article: {str(exc).splitlines()[0]}"
            return FileOutcome(path, "failed", slug=seed.slug, detail=detail, warnings=seed.warnings)
        except Exception as exc:  # a bug of ours must cost one file, not the batch or a traceback
            logger.debug("importing %s failed", path, exc_info=True)
            detail = (
                f"unexpected error ({exc.__class__.__name__}: {exc}); set DJANGO_LOG_LEVEL=DEBUG for details"
            )
            return FileOutcome(path, "failed", slug=seed.slug, detail=detail, warnings=seed.warnings)
        self.claimed.setdefault(seed.slug, str(path))
        if article is not None:
            self.identities.remember_article(article)
            if getattr(article, "skip_history_when_saving", False):
                self.history[outcome.action].append(article)
            if getattr(article, "search_vector_stale", False):
                self.stale_search_vectors.append(article.pk)
        self.authors.update(self.new_authors)
        self.tags.update(self.new_tags)
        self.tag_links.extend(self.new_tag_links)
        self.images.file_kept()
        return outcome

    def _apply(self, seed, rendered=None):
        """Write `seed`; return (outcome, the article if a row was written). `rendered`: its body
        rendered ahead (Article.prerender), or None."""
        first = self.claimed.get(seed.slug)
        if first is not None and first != str(seed.path):
            raise SeedError(f"slug: {seed.slug!r} is already taken by {first} in this import")
        pk = self.identities.find(seed)
        if seed.translation_key:
            self._check_translation(seed, pk)
        # Its author and tags with it: compared with the file's below (tags relinked only if they differ).
        found = Article.objects.select_related("author").prefetch_related("tags")
        article = found.get(pk=pk) if pk is not None else None
        outcome = FileOutcome(seed.path, "", slug=seed.slug, warnings=seed.warnings)
        if article is not None and article.import_hash == seed.digest:
            outcome.action = "unchanged"
            return outcome, None
        values = self._values(seed, article)
        tag_slugs = [slug for slug, _ in seed.tags]
        if article is None:
            article = Article(**values)
            outcome.action, outcome.detail = "created", seed.title
        else:
            outcome.changes = {
                name: _shown(name, getattr(article, name), value)
                for name, value in values.items()
                if getattr(article, name) != value
            }
            old_tags = sorted(tag.slug for tag in article.tags.all())
            if old_tags != sorted(tag_slugs):
                outcome.changes["tags"] = (old_tags, sorted(tag_slugs))
            if not outcome.changed:
                # Same content in other bytes (whitespace, key order): remember the new bytes only.
                Article.objects.filter(pk=article.pk).update(
                    import_hash=seed.digest,
                    front_matter_raw=seed.front_matter_raw,
                    source_name=seed.path.name,
                )
                article.import_hash = seed.digest
                outcome.action = "unchanged"
                return outcome, article
            if article.edited_since_import and not self.force:
                outcome.action = "skipped"
                outcome.detail = (
                    f"conflict: edited in the admin since the last import; "
                    f"differs in {', '.join(outcome.changed)} (--force to overwrite)"
                )
                return outcome, None
            for name, value in values.items():
                setattr(article, name, value)
            outcome.action, outcome.detail = "updated", ", ".join(outcome.changed)
        self.identities.check_slug_free(article.slug, article.pk)
        article.front_matter_raw, article.source_name = seed.front_matter_raw, seed.path.name
        article.import_hash = seed.digest
        article.imported_at = self.now
        creating = article.pk is None
        # The version this import makes is written with the batch's others (write_history), in one
        # INSERT, and only for files whose savepoint held.
        article.skip_history_when_saving = True
        article.defer_search_vector = True  # write_search_vectors, also for files whose savepoint held
        article.prerendered = rendered
        article.save()
        article.prerendered = None
        tags = self._tags_for(seed.tags)
        if creating:
            # No m2m signal: written with the batch's others (write_tag_links), before its events.
            self.new_tag_links = [Article.tags.through(article_id=article.pk, tag_id=tag.pk) for tag in tags]
        elif "tags" in outcome.changes:
            article.tags.set(tags)
        for alias in seed.aliases:
            redirect_old_path(alias, article.get_absolute_url())
        return outcome, article

    def _check_translation(self, seed, pk):
        """A translation set has one article per language: a second one is refused, naming both."""
        language = (seed.locale or site_language()).lower()
        first = self.languages_claimed.setdefault((seed.translation_key, language), seed.path)
        if first != seed.path:
            raise SeedError(
                f"translationKey: {seed.translation_key!r} in {language} is also {first} in this import"
            )
        for other in Article.objects.filter(translation_key=seed.translation_key).exclude(pk=pk):
            if same_language(other.locale, seed.locale):
                raise SeedError(
                    f"translationKey: {seed.translation_key!r} in {language} is already "
                    f"{other.source_name or 'the article'} (/blog/{other.slug})"
                )

    def _values(self, seed, article):
        values = {name: getattr(seed, name) for name in COPIED_FIELDS}
        values["author"] = self._author_for(seed)
        published = seed.published
        if published is None:
            # No date anywhere in the file: keep the one we gave it, else the import time.
            published = article.published if article is not None else None
            published = published or (self.now if seed.status == Status.PUBLISHED else None)
        values["published"] = published
        if seed.updated is not None:
            values["updated"] = seed.updated
        values["local_images"], lead = self._images(seed)
        values["image"] = self._lead_image(lead)
        return values

    def _author_for(self, seed):
        """Authors are found by the slug of their name, made as article and tag slugs are, else by
        their name (an author whose slug was made otherwise: in the admin, or by imports before
        2026-11-26, which kept accents), and created once, never duplicated."""
        if not seed.author_name:
            return None
        slug = slug_from_title(seed.author_name) or "author"
        author = self.authors.get(slug) or self.new_authors.get(slug)
        if author is None:
            found = list(Author.objects.filter(Q(slug=slug) | Q(name=seed.author_name)).order_by("pk"))
            author = next((one for one in found if one.slug == slug), found[0] if found else None)
            if author is None:
                author = Author.objects.create(slug=slug, name=seed.author_name, url=seed.author_url)
            self.new_authors[slug] = author
        if seed.author_url and not author.url:
            author.url = seed.author_url
            author.save(update_fields=["url"])
        return author

    def _tags_for(self, pairs):
        """Tags by slug, created once; an existing tag keeps its name."""
        missing = [slug for slug, _ in pairs if slug not in self.tags and slug not in self.new_tags]
        if missing:
            self.new_tags.update({tag.slug: tag for tag in Tag.objects.filter(slug__in=missing)})
        for slug, name in pairs:
            if slug not in self.tags and slug not in self.new_tags:
                self.new_tags[slug] = Tag.objects.create(slug=slug, name=name)
        return [self.tags.get(slug) or self.new_tags[slug] for slug, _ in pairs]

    def _images(self, seed):
        """Store the images the article uses: ({address in the body: stored name}, lead image name).
        A missing or bad image is a warning, never a failure: the address is kept as written."""
        stored = {}
        for reference in image_references(seed.body):
            name = self._image(reference, seed, "body image")
            if name:
                stored[reference] = name
        lead = seed.image_path or (seed.image_url if self.images.fetch_remote else "")
        return stored, (self._image(lead, seed, "image") if lead else "")

    def _image(self, reference, seed, what):
        try:
            return self.images.store(reference, seed.path.parent)
        except ImageError as exc:
            seed.warnings.append(f"{what} {reference!r}: {exc}; kept as written")
            return ""

    def _lead_image(self, name):
        """The lead image as a file the ImageField can take before the file exists: it is written
        on commit, so its size (known from verification) must not be read from storage now."""
        if not name:
            return ""
        field = Article._meta.get_field("image")
        image = field.attr_class(None, field, name)
        image._dimensions_cache = self.images.dimensions[name]
        return image


def _shown(name, old, new):
    """(old, new) for a report: the body as a hash and a line count, other values as text."""
    if name == "body":
        return tuple(
            f"sha256:{hashlib.sha256(text.encode()).hexdigest()[:12]} ({len(text.splitlines())} lines)"
            for text in (old, new)
        )
    return tuple(None if value is None else str(value) for value in (old, new))
