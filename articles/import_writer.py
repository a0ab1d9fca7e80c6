"""How the importer's one writer turns each file into rows (Writer, used by articles/importer.py):
the articles a group of files can be, looked up together; each file's outcome decided in its own
savepoint; each batch's tag links, history rows and search vectors written once at its end."""

import hashlib
import logging
from array import array
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from .identities import ArticleIdentities
from .images import ImageError
from .images.imports import ImportedImages, image_references
from .import_authors_tags import AuthorsAndTags
from .import_report import FileOutcome
from .import_workers import Prepared
from .models import Article, Status
from .redirects import redirect_old_path
from .seeds import SeedError, parse_seed
from .translations import same_language, site_language

logger = logging.getLogger(__name__)
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


def _parse(file):
    """What a worker would make of `file` (no rendering): its Seed, or why it cannot be one."""
    try:
        return Prepared(
            seed=parse_seed(file.raw, path=Path(file.path), digest=file.digest, time_zone=settings.TIME_ZONE)
        )
    except SeedError as exc:
        return Prepared(error=str(exc))


class Writer:
    """The one process that writes an import's rows, and the state shared by the files of one run:
    the slugs claimed so far and the import time.

    Nothing here grows a dict entry per file (issue 11: the writer's RSS flat from 10,000 to 100,000
    files): the articles a group of files can be are looked up per group (look_up), and a file's
    claim on a slug is kept on the article that has the slug, as the file's place in the run, in an
    array by pk (4 bytes an article of the database), not as slug -> path."""

    def __init__(self, files, *, force, fetch_images):
        self.files = files
        self.position = -1  # the place in `files` of the file being imported
        self.force = force
        self.images = ImportedImages(fetch_remote=fetch_images)
        self.now = timezone.now()
        # By pk: whether a file of this run had the article's bytes (it wrote them, or found them
        # unchanged), so that a second byte-identical file is not "unchanged" but a second claim
        # on the slug; and 1 + the place of the file that claimed the article's slug first.
        self.met, self.claims = bytearray(), array("i")
        # Claims not held by an article with the slug: a slug an article was renamed from, or one
        # a skipped or unchanged file named. slug -> the file's place. Rare.
        self.other_claims = {}
        self.renamed = None  # (pk, old slug) of the article the current file renamed
        self.languages_claimed = {}  # (translation key, language) -> the file that has it
        self.identities = ArticleIdentities()
        self.authors_and_tags = AuthorsAndTags()
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

    def look_up(self, files):
        """The articles a group of LoadedFiles can be, for import_file(): those whose bytes they
        have, then those their seeds name (a query each). A file not parsed ahead (one process, or
        bytes an article has) is parsed here unless it will be found unchanged by its bytes."""
        unparsed = [file for file in files if not file.read_error and file.prepared is None]
        self.identities = ArticleIdentities.lookup(digests=[file.digest for file in unparsed])
        seen = set()
        for file in unparsed:
            known = self.identities.by_hash.get(file.digest)
            if known is None or self._met(known.pk) or file.digest in seen:
                file.prepared = _parse(file)
            seen.add(file.digest)
        seeds = [file.prepared.seed for file in files if file.prepared and file.prepared.seed]
        self.identities.add(seeds)
        self.authors_and_tags.look_up(seeds)

    def import_file(self, file):
        """The outcome of one LoadedFile (import_workers), written in a savepoint of its own."""
        self.position += 1
        path = file.path
        if file.read_error:
            return FileOutcome(path, "failed", detail=file.read_error)
        known = self.identities.by_hash.get(file.digest)
        if known is not None and not self._met(known.pk):
            # Bytes we imported before: unchanged, without parsing or rendering, so re-importing a
            # large unchanged tree costs little more than reading it. A mark by the article's pk,
            # not a set of every digest met, so that memory does not grow with the files of the run.
            self._mark_met(known.pk)
            self._claim(known.slug, known.pk)
            return FileOutcome(path, "unchanged", slug=known.slug)
        prepared = file.prepared
        if prepared is None:  # an article's bytes when looked up, since changed by a file before
            prepared = _parse(file)
        if prepared.error:
            return FileOutcome(path, "failed", detail=prepared.error)
        seed, rendered, vector = prepared.seed, prepared.rendered, prepared.search_vector
        seed.digest = file.digest  # one string, not a copy from the worker
        self.identities.ensure(seed)
        self.authors_and_tags.new_file()
        self.new_tag_links = []
        self.renamed = None
        self.images.new_file()
        try:
            with transaction.atomic():
                outcome, article = self._apply(seed, rendered, vector)
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
        if self.renamed is not None:
            # The article's old slug stays claimed by the file that claimed it.
            pk, old_slug = self.renamed
            if self._claim_of(pk) is not None:
                self.other_claims.setdefault(old_slug, self._claim_of(pk))
                self.claims[pk] = 0
        if article is not None:
            self.identities.remember_article(article)
            self._mark_met(article.pk)
        self._claim(seed.slug, article.pk if article is not None else None)
        if article is not None:
            if getattr(article, "skip_history_when_saving", False):
                self.history[outcome.action].append(article)
            if getattr(article, "search_vector_stale", False):
                self.stale_search_vectors.append(article.pk)
        self.authors_and_tags.file_kept()
        self.tag_links.extend(self.new_tag_links)
        self.images.file_kept()
        return outcome

    def _apply(self, seed, rendered=None, vector=None):
        """Write `seed`; return (outcome, the article if a row was written). `rendered`: its body
        rendered ahead (Article.prerender), or None; `vector`: its search vector made ahead, or None."""
        first = self._claimant(seed.slug)
        if first is not None and first != self.position:
            raise SeedError(f"slug: {seed.slug!r} is already taken by {self.files[first]} in this import")
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
            if article.slug != values["slug"]:
                self.renamed = (article.pk, article.slug)
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
        article.prerendered, article.search_vector_ahead = rendered, vector
        article.save()
        article.prerendered = article.search_vector_ahead = None
        tags = self.authors_and_tags.tags_for(seed.tags)
        if creating:
            # No m2m signal: written with the batch's others (write_tag_links), before its events.
            self.new_tag_links = [Article.tags.through(article_id=article.pk, tag_id=tag.pk) for tag in tags]
        elif "tags" in outcome.changes:
            article.tags.set(tags)
        for alias in seed.aliases:
            redirect_old_path(alias, article.get_absolute_url())
        return outcome, article

    def _met(self, pk):
        return pk < len(self.met) and self.met[pk]

    def _mark_met(self, pk):
        if pk >= len(self.met):
            self.met.extend(bytes(pk + 1 - len(self.met)))
        self.met[pk] = 1

    def _claim_of(self, pk):
        """The place of the file that claimed article `pk`'s slug, or None."""
        return self.claims[pk] - 1 if pk < len(self.claims) and self.claims[pk] else None

    def _claimant(self, slug):
        """The place in the run of the file that claimed `slug` first, or None."""
        place = self.other_claims.get(slug)
        if place is None:
            holder = self.identities.by_slug.get(slug)
            place = None if holder is None else self._claim_of(holder.pk)
        return place

    def _claim(self, slug, pk):
        """The current file claims `slug`, unless a file before it did: on article `pk` when that
        is the article with the slug now, else apart."""
        if self._claimant(slug) is not None:
            return
        holder = self.identities.by_slug.get(slug)
        if pk is not None and holder is not None and holder.pk == pk:
            if pk >= len(self.claims):
                self.claims.extend([0] * (pk + 1 - len(self.claims)))
            self.claims[pk] = self.position + 1
        else:
            self.other_claims[slug] = self.position

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
        values["author"] = self.authors_and_tags.author_for(seed)
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
