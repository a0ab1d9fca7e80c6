"""Authors, tags and articles. "Public" is defined once, in ArticleQuerySet.published()."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.files.storage import default_storage
from django.db import connections, models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import renditions
from .markdown import first_image_url, outline, render
from .redirects import redirect_old_path


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


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: status published, a publication time that has passed, and no expiry
        time that has passed. Scheduling and expiry need no cron: they are read at query time."""
        now = timezone.now()
        return self.filter(status=Status.PUBLISHED, published__lte=now).exclude(expires__lte=now)

    def scheduled(self):
        """Published articles whose publication time is still ahead: they go live by themselves."""
        return self.filter(status=Status.PUBLISHED, published__gt=timezone.now())

    def with_neighbours(self):
        """Annotate the previous (older) and next (newer) public article's slug and title, so the
        article page gets its neighbours in the same query as the article (issue #4's budget).
        Ties on `published` are broken by pk, the same order as the list."""
        public = self.model.objects.published()
        older = public.filter(
            Q(published__lt=OuterRef("published")) | Q(published=OuterRef("published"), pk__lt=OuterRef("pk"))
        ).order_by("-published", "-pk")
        newer = public.filter(
            Q(published__gt=OuterRef("published")) | Q(published=OuterRef("published"), pk__gt=OuterRef("pk"))
        ).order_by("published", "pk")
        return self.annotate(
            previous_slug=Subquery(older.values("slug")[:1]),
            previous_title=Subquery(older.values("title")[:1]),
            next_slug=Subquery(newer.values("slug")[:1]),
            next_title=Subquery(newer.values("title")[:1]),
        )

    def search(self, terms):
        """Articles matching `terms` in title, excerpt or body, best first.

        PostgreSQL: ranked full-text search over the stored, GIN-indexed `search_vector` (kept
        current by Article.save(), never computed here). Elsewhere (SQLite): a plain substring match,
        newest first, good enough for a development database."""
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.filter(search_vector=query)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-published", "-pk")
            )
        return self.filter(Q(title__icontains=terms) | Q(excerpt__icontains=terms) | Q(body__icontains=terms))


# English stemming: the seed corpus is English. A weighted vector so that a title match ranks first.
SEARCH_CONFIG = "english"
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=SEARCH_CONFIG)
    + SearchVector("excerpt", weight="B", config=SEARCH_CONFIG)
    + SearchVector("body", weight="C", config=SEARCH_CONFIG)
)


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


# An article with fewer headings than this reads fine without a table of contents.
TOC_MIN_HEADINGS = 3


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
    # PostgreSQL full-text search (issue #4); a GIN index on it is made by migration 0003 on
    # PostgreSQL only. Left empty on SQLite, where search falls back to substring matching.
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

    class Meta:
        ordering = ["-published", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source="") & ~models.Q(source_id=""),
                name="article_unique_source_id",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published"], name="article_public_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Render the body once, here, and keep `updated` the time the content really changed."""
        self.body_html = renditions.responsive_body_images(
            render(
                self.body,
                title=self.title,
                image_urls={
                    written: default_storage.url(name) for written, name in self.local_images.items()
                },
            )
        )
        self.body_image_url = first_image_url(self.body_html)
        self.headings, self.reading_minutes = outline(self.body_html)
        loaded = getattr(self, "_loaded_content", None)
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
        old_url = self._loaded_url
        super().save(*args, **kwargs)
        if connections[self._state.db].vendor == "postgresql":
            # The vector is computed by the database from the saved columns: one UPDATE per save.
            type(self).objects.filter(pk=self.pk).update(search_vector=SEARCH_VECTOR)
        self._refresh_image_renditions()
        self._loaded_content = self._content()
        if old_url and old_url != self.get_absolute_url():
            redirect_old_path(old_url, self.get_absolute_url())

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember the loaded content to tell a real change from a save; a partly loaded row
        # (a list page's .defer()) is not compared, since reading its deferred fields would query.
        if not article.get_deferred_fields().intersection(CONTENT_FIELDS):
            article._loaded_content = article._content()
        return article

    @property
    def _loaded_url(self):
        loaded = getattr(self, "_loaded_content", None)
        if loaded is None:
            return None
        return reverse("articles:detail", kwargs={"slug": loaded["content"][CONTENT_FIELDS.index("slug")]})

    def _refresh_image_renditions(self):
        """Make the lead image's renditions when the image is new (the file is in storage only after
        super().save()); once made they are reused, so an unchanged image costs nothing."""
        source = self.image.name if self.image else ""
        if self.image_renditions.get("source", "") == source:
            return
        self.image_renditions = renditions.make_renditions(source) if source else {}
        type(self).objects.filter(pk=self.pk).update(image_renditions=self.image_renditions)

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

    @property
    def lead_image_url(self):
        """The image for cards and og:image: the uploaded one, else the remote one, else the body's first."""
        if self.image:
            return self.image.url
        return self.image_url or self.body_image_url

    @property
    def table_of_contents(self):
        """The headings worth a table of contents: only when there are several (issue #4)."""
        return self.headings if len(self.headings) >= TOC_MIN_HEADINGS else []

    def structured_data(self, url, image_url=""):
        """schema.org BlogPosting for the page's JSON-LD; `url` and `image_url` are absolute.
        Empty values are left out rather than written as null."""
        modified = self.updated or self.published
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "url": url,
            "headline": self.title,
            "description": self.excerpt,
            "datePublished": self.published.isoformat() if self.published else None,
            "dateModified": modified.isoformat() if modified else None,
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "inLanguage": self.locale,
            "image": image_url,
        }
        if self.author:
            data["author"] = {"@type": "Person", "name": self.author.name}
            if self.author.url:
                data["author"]["url"] = self.author.url
        return {key: value for key, value in data.items() if value not in (None, "")}

    @property
    def edited_since_import(self):
        """Saved in the admin after its last import: a re-import must not overwrite it silently, and
        an export can no longer be the imported file as it was."""
        return self.edited_at is not None and (self.imported_at is None or self.edited_at > self.imported_at)

    @property
    def og_locale(self):
        """OpenGraph writes locales as language_TERRITORY (pt_BR), not as BCP 47 tags (pt-BR)."""
        language, _, territory = self.locale.partition("-")
        return f"{language.lower()}_{territory.upper()}" if territory else language.lower()

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
