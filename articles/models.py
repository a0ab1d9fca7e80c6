"""Authors, tags and articles. "Public" is defined once, in ArticleQuerySet.published()."""

from collections import namedtuple

from django.conf import settings
from django.contrib.postgres.search import SearchRank, SearchVectorField
from django.core.files.storage import default_storage
from django.db import connections, models, router
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import search_languages, sqlite_search, translations
from .images import renditions
from .markdown import first_image_url, outline, render
from .search_vectors import SEARCH_FIELDS, SEARCH_VECTOR, search_vector_of


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    url = models.URLField(max_length=500, blank=True, help_text="The author's own page, if any.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Status(models.TextChoices):
    PUBLISHED = "published", "Published"
    DRAFT = "draft", "Draft"


class PublicationQuerySet(models.QuerySet):
    """Rows with an article's status, published and expires: articles, and their tag links, which
    carry copies of the three (articles/tag_links.py)."""

    def published(self, now=None):
        """What readers may see: status published, a publication time that has passed, and no expiry
        time that has passed. Scheduling and expiry need no cron: they are read at query time.
        `now`: the moment to read them at (articles/compiled_queries.py compiles with a stand-in)."""
        now = now or timezone.now()
        return self.filter(status=Status.PUBLISHED, published__lte=now).exclude(expires__lte=now)


class ArticleQuerySet(PublicationQuerySet):
    def scheduled(self):
        """Published articles whose publication time is still ahead: they go live by themselves."""
        return self.filter(status=Status.PUBLISHED, published__gt=timezone.now())

    def with_neighbours(self):
        """Annotate `previous` (the older) and `next` (the newer) public article as {pk, slug, title},
        or None, so the article page gets its neighbours in the same query as the article (the page's
        two-query budget). Ties on `published` are broken by pk, the same order as the list. Each
        neighbour is one subquery (a JSON object of its three columns): one indexed seek each, where
        a subquery per column would seek three times."""
        at, pk = OuterRef("published"), OuterRef("pk")
        # Each neighbour's own bound on `published` comes first in its WHERE: of two bounds on one
        # column (this one, and published()'s "not in the future"), SQLite seeks the index by the
        # first, and this one starts the seek at the article instead of at the newest article.
        older = (
            self.model.objects.filter(published__lte=at)
            .filter(Q(published__lt=at) | Q(pk__lt=pk))
            .published()
            .order_by("-published", "-pk")
        )
        newer = (
            self.model.objects.filter(published__gte=at)
            .filter(Q(published__gt=at) | Q(pk__gt=pk))
            .published()
            .order_by("published", "pk")
        )
        shown = JSONObject(pk="pk", slug="slug", title="title")
        return self.annotate(
            previous=Subquery(older.annotate(neighbour=shown).values("neighbour")[:1]),
            next=Subquery(newer.annotate(neighbour=shown).values("neighbour")[:1]),
        )

    def search(self, terms, limit=None, *, language=""):
        """The `limit` (SEARCH_RESULTS_LIMIT) newest articles matching `terms` in title, excerpt or
        body, best first.

        Only the newest matches are ranked, so that a search costs the same whatever the size of the
        site (issue 11: ranking every match of two common words took 1.3 s at 30,000 articles): the
        candidates are found newest first and the scan stops at the limit, then only those are
        ranked. Counting the results counts the candidates, so it stops at the limit too.

        PostgreSQL: full-text search over the stored, GIN-indexed `search_vector` (kept current by
        signals.article_saved after each save that changes its text, never computed here), ranked
        with title matches first. SQLite: its FTS5 index, kept by triggers, which yields matches
        newest first (articles/sqlite_search.py); words, not substrings, on both.

        Each PostgreSQL vector is in its article's language (search_languages): the words are looked
        for in `language`'s configuration, or in every site language's."""
        limit = limit or settings.SEARCH_RESULTS_LIMIT
        if connections[self.db].vendor == "postgresql":
            query = search_languages.words(terms, [language] if language else settings.SITE_LANGUAGES)
            newest = self.filter(search_vector=query).order_by("-published", "-pk").values("pk")[:limit]
        else:
            expression = sqlite_search.match_expression(terms)
            if expression is None:
                return self.none()
            newest = sqlite_search.newest_matching_ids(self, expression, limit)
            if newest is None:  # filters the index cannot check: every match, then the newest
                matches = self.filter(sqlite_search.matching(expression))
                newest = matches.order_by("-published", "-pk").values("pk")[:limit]
        # The candidates passed this queryset's filters already. Filtering again outside would let
        # SQLite walk every public row and test each against the candidates, instead of fetching
        # the few candidates by primary key.
        results = self.model.objects.using(self.db).filter(pk__in=newest)
        if connections[self.db].vendor == "postgresql":
            return results.annotate(rank=SearchRank(F("search_vector"), query)).order_by(
                "-rank", "-published", "-pk"
            )
        return results.order_by("-published", "-pk")

    def refresh_search_vector(self):
        """Recompute the stored search vector of these rows from their saved columns, in the
        database: one UPDATE. Only on PostgreSQL; SQLite's search needs no vector."""
        if connections[self.db].vendor == "postgresql":
            self.update(search_vector=SEARCH_VECTOR)


# Fields whose change is a change of the article's content (and so moves `updated`); bookkeeping
# such as imported_at or import_hash is not.
CONTENT_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "body",
    "image",
    "image_url",
    "author_id",
    "locale",
    "canonical_url",
)


_SLUG = CONTENT_FIELDS.index("slug")

# An article with fewer headings than this reads fine without a table of contents.
TOC_MIN_HEADINGS = 3
# A body rendered ahead of its save: the body and title it was rendered from, render()'s HTML, and
# what save() reads from that HTML (its first image's address; its headings and reading minutes).
Prerendered = namedtuple("Prerendered", "body title html first_image_url outline")


def lead_image_url(image, image_url, body_image_url):
    """The image for cards and og:image: the uploaded one (`image`, its name in storage), else the
    remote one, else the body's first. A function of the columns, so rows read without a model
    instance (content_api/rows.py) get the same rule."""
    if image:
        return default_storage.url(image)
    return image_url or body_image_url


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The last part of the article's address: /blog/<slug>.",
    )
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    excerpt = models.TextField(
        blank=True,
        help_text="One or two sentences shown in lists and "
        "search results, and used as the page's description.",
    )
    body = MarkdownxField(blank=True, help_text="The article in Markdown, exactly as written.")
    body_html = models.TextField(
        blank=True, editable=False, help_text="The body rendered and sanitized when the article is saved."
    )
    image = models.ImageField(
        upload_to="articles/covers/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="The lead image, uploaded here.",
    )
    image_alt = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the lead image (uploaded or by address) shows, for readers who cannot see "
        "it. Leave empty only when the image is decoration.",
    )
    # Stored on upload so og:image:width/height and <img width height> cost no file read per request.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Narrower WebP and original-format copies of the uploaded lead image, made on save.",
    )
    image_url = models.URLField(
        max_length=1000, blank=True, help_text="The lead image's address, when it lives elsewhere."
    )
    body_image_url = models.CharField(
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The body's first image, the fallback lead image.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    created = models.DateTimeField(null=True, blank=True, help_text="When the article was first written.")
    published = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Readers can see the article once this time has passed and its status is Published.",
    )
    expires = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Readers stop seeing the article once this time has passed. Leave empty to keep it.",
    )
    updated = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the content last really changed. Set by itself when you change the text.",
    )
    locale = models.CharField(
        max_length=35, blank=True, help_text="The article's language, such as en or pt-BR."
    )
    translation_key = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Articles with the same key are translations of each other (Hugo's translationKey).",
    )
    canonical_url = models.URLField(
        max_length=1000, blank=True, help_text="Set only when the article's original home is elsewhere."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    uuid = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The article's identity in its source files, when they give one.",
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="The system the article was imported from."
    )
    source_id = models.CharField(max_length=100, blank=True, help_text="The article's id in that system.")
    source_url = models.URLField(
        max_length=1000, blank=True, help_text="Where the article came from (the file's url)."
    )
    extra = models.JSONField(
        default=dict, blank=True, help_text="Front matter keys that have no field of their own."
    )
    local_images = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Images the import stored: the address written in the body -> the stored file.",
    )
    front_matter_raw = models.TextField(
        blank=True,
        editable=False,
        help_text="The imported file's text before the body, exactly (for a byte-identical export).",
    )
    source_name = models.CharField(
        max_length=255, blank=True, editable=False, help_text="The imported file's name."
    )
    headings = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The body's headings (level, id, text), for the table of contents.",
    )
    reading_minutes = models.PositiveIntegerField(default=0, editable=False)
    # PostgreSQL full-text search; its GIN index (article_search_gin) is made by migration 0006 with
    # raw SQL on PostgreSQL only. Left empty on SQLite, whose search has an FTS5 index (sqlite_search.py).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last time an editor saved the article in the admin.",
    )

    objects = ArticleQuerySet.as_manager()
    # Every save keeps a version, whoever saves: the admin, a restore, or an import that changed
    # the article (an unchanged file is not saved, so it keeps none). body_html is derived from the
    # body and is rendered again when a version is restored, so versions need not store it.
    # Versions keep what people wrote; everything derived from it at save time is left out.
    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "body_image_url",
            "headings",
            "reading_minutes",
            "search_vector",
            "image_renditions",
        ]
    )

    # The renditions the body's HTML refers to, planned by the last save() and written once it commits.
    body_image_renditions = ()
    # The body rendered ahead, elsewhere (an import's worker processes): Article.prerender()'s result.
    # save() uses it only while it is what save() would render; otherwise it renders again.
    prerendered = None
    # Its search vector made ahead, elsewhere (the same workers): search_vectors.SearchVectorAhead.
    # A new row's INSERT takes it only if it was made of the article's values as they are then.
    search_vector_ahead = None
    # The content as loaded from the table or last saved, to tell a real change from a save; None
    # for an article built another way (new, or a version being restored).
    _loaded_content = None

    class Meta:
        ordering = ["-published", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source="") & ~models.Q(source_id=""),
                name="article_unique_source_id",
            ),
        ]
        indexes = [
            # The public order with its tie-break, seeked by key by the lists (articles/pagination.py)
            # and by each neighbour's seek (with_neighbours), with `expires` so the public filter is
            # read from the index: on SQLite the row's later columns sit behind the body, and reading
            # them for every row was most of a list page at 100,000.
            models.Index(fields=["status", "-published", "-id", "expires"], name="article_public_order_idx"),
            models.Index(
                fields=["author", "status", "-published", "-id", "expires"], name="article_author_list_idx"
            ),
            # The admin's list order (Meta.ordering): its deep pages skip keys in this index alone
            # (admin_changelist.EstimatedCountPaginator.page) instead of sorting every row.
            models.Index(fields=["-published", "-id"], name="article_list_order_idx"),
            # A sitemap document (articles/sitemaps.py): the public articles of a range of ids, with
            # every column it writes, read from this index alone: read row by row from the table,
            # the range was most of a document's second at 50,000 URLs on SQLite.
            models.Index(
                fields=["status", "id", "published", "expires", "slug", "updated", "translation_key"],
                name="article_sitemap_idx",
            ),
            # The public versions of the translation sets a sitemap document names.
            models.Index(fields=["status", "translation_key"], name="article_translation_idx"),
            # The import's lookup of the articles a group of files can be (articles/identities.py):
            # without it, each group of 200 files read every row.
            models.Index(fields=["import_hash"], name="article_import_hash_idx"),
            # The next expiry (the page cache's schedule): few articles have one.
            models.Index(
                fields=["status", "expires"],
                condition=models.Q(expires__isnull=False),
                name="article_expiry_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Render the body once, here, and keep `updated` the time the content really changed.

        What a save sets off beyond its row (search vector, redirect from the old address, rendition
        files, stale cached pages) is in signals.article_saved, the one place for it."""
        image_urls = {written: default_storage.url(name) for written, name in self.local_images.items()}
        ahead = self.prerendered
        if ahead is not None and not image_urls and (ahead.body, ahead.title) == (self.body, self.title):
            body_html = ahead.html
        else:
            body_html, ahead = render(self.body, title=self.title, image_urls=image_urls), None
        self.body_html, self.body_image_renditions = renditions.responsive_body_images(body_html)
        if ahead is not None and self.body_html == ahead.html:  # no image of ours given renditions
            self.body_image_url, (self.headings, self.reading_minutes) = ahead.first_image_url, ahead.outline
        else:
            self.body_image_url = first_image_url(self.body_html)
            self.headings, self.reading_minutes = outline(self.body_html)
        loaded = self._loaded_content
        changed_fields = {"body_html", "body_image_url", "headings", "reading_minutes"}
        if self.updated is None:
            self.updated = self.published or self.created or timezone.now()
            changed_fields.add("updated")
        elif (
            loaded is not None
            and loaded["content"] != self._content()["content"]
            and self.updated == loaded["updated"]
        ):
            self.updated = timezone.now()
            changed_fields.add("updated")
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, *changed_fields}
        if not self._state.adding:
            # The stored search vector is written by signals.article_saved alone, and only when the
            # text changed: the one this instance holds (as loaded, or none) must not overwrite it.
            self.search_vector = F("search_vector")
        elif (
            connections[kwargs.get("using") or router.db_for_write(Article, instance=self)].vendor
            == "postgresql"
        ):
            # A new row's vector in its INSERT (signals.article_saved writes none after it).
            self.search_vector = search_vector_of(self)
            self.search_vector_inserted = True
        super().save(*args, **kwargs)  # post_save receivers still see the previous address
        self._loaded_content = self._content()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @staticmethod
    def prerender(body, title):
        """The body rendered as save() renders one with no stored images, and what save() reads from
        it, without the storage reads save() then adds (renditions): pure, for another process to do
        (articles/import_workers.py)."""
        html = render(body, title=title)
        return Prerendered(body, title, html, first_image_url(html), outline(html))

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember the loaded content to tell a real change from a save; a partly loaded row
        # (a list page's .defer()) is not compared, since reading its deferred fields would query.
        if not article.get_deferred_fields().intersection(CONTENT_FIELDS):
            article._loaded_content = article._content()
        return article

    @property
    def loaded_from_table(self):
        """Whether this instance holds the stored row (as loaded or last saved), not one built
        another way (a new article, a version being restored)."""
        return self._loaded_content is not None

    def compare_with_stored_row(self):
        """Judge the next save against the row as stored, as if this article had been loaded from
        it, and keep the stored `updated`. For an article built another way (a version being
        restored): its save then moves `updated` and leaves a redirect if the slug changes, as an
        edit's would. Nothing to do for an article loaded from the table."""
        if self._loaded_content is None:
            stored = type(self).objects.get(pk=self.pk)
            self._loaded_content = stored._loaded_content
            self.updated = stored.updated

    @property
    def previous_url(self):
        """The address the article had when loaded or last saved (None for a new one). In post_save
        receivers it is still the address from before this save."""
        if self._loaded_content is None:
            return None
        return reverse("articles:detail", kwargs={"slug": self._loaded_content["content"][_SLUG]})

    @property
    def lead_image_sources(self):
        """srcset strings for the uploaded lead image's <picture>, or None (no renditions)."""
        if not self.image or not self.image_renditions.get("webp"):
            return None
        return {
            "webp": renditions.srcset(self.image_renditions["webp"]),
            "original": renditions.srcset(self.image_renditions["original"]),
            "sizes": renditions.SIZES,
        }

    def _content(self):
        return {"content": [getattr(self, name) for name in CONTENT_FIELDS], "updated": self.updated}

    def search_text_changed(self, update_fields=None):
        """In post_save receivers: whether this save wrote a title, excerpt or body other than the
        one loaded (always, for an article not loaded from the table: new, or a version restored)."""
        if update_fields is not None and not set(update_fields) & set(SEARCH_FIELDS):
            return False
        if self._loaded_content is None:
            return True
        loaded = self._loaded_content["content"]
        return any(loaded[CONTENT_FIELDS.index(name)] != getattr(self, name) for name in SEARCH_FIELDS)

    @property
    def lead_image_url(self):
        return lead_image_url(self.image.name, self.image_url, self.body_image_url)

    @property
    def table_of_contents(self):
        """The headings worth a table of contents: only when there are several."""
        return self.headings if len(self.headings) >= TOC_MIN_HEADINGS else []

    @property
    def edited_since_import(self):
        """Saved in the admin after its last import: a re-import must not overwrite it silently, and
        an export can no longer be the imported file as it was."""
        return self.edited_at is not None and (self.imported_at is None or self.edited_at > self.imported_at)

    @property
    def language(self):
        """The article's language code: its locale, else the site's."""
        return self.locale or translations.site_language()

    def translations(self):
        """The public articles of this article's translation set, itself left out."""
        if not self.translation_key:
            return Article.objects.none()
        return Article.objects.published().filter(translation_key=self.translation_key).exclude(pk=self.pk)

    @property
    def is_scheduled(self):
        """Published, with a publication time still ahead: readers see it once that time passes."""
        return (
            self.status == Status.PUBLISHED and self.published is not None and self.published > timezone.now()
        )

    @property
    def is_public(self):
        now = timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.published is not None
            and self.published <= now
            and (self.expires is None or self.expires > now)
        )


# Kept beside the articles, in a module of its own (one concept): editors' autosaved forms.
from .autosaves import Autosave  # noqa: E402, F401
from .tag_links import TagLink  # noqa: E402, F401
