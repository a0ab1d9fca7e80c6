"""The editors' admin: drafts, scheduling, previews, image uploads and history.

Every save goes through Article.save() (the page follows) and through django-simple-history (a
version is kept). Bulk actions save article by article for the same reason, instead of .update(),
in one transaction, so that their publish events are written with them (publishing/outbox.py).
"""

import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.search import SearchQuery
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import sqlite_search
from .admin_changelist import (
    COUNT_BOUND,
    ArticleChangeList,
    AutocompleteListFilter,
    EstimatedCountPaginator,
    autocomplete_filter_media,
)
from .images import ImageError
from .images.uploads import cleaned_upload
from .models import SEARCH_CONFIG, Article, Author, Status, Tag

# An address typed without a scheme is https (Django 6's default; 5.2 still assumes http).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "slug", "url")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class VisibilityFilter(admin.SimpleListFilter):
    """Where an article stands for readers right now, which status alone does not say."""

    title = "visibility"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("public", "Public"), ("scheduled", "Scheduled"), ("draft", "Draft"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "public":
                return queryset.published()
            case "scheduled":
                return queryset.scheduled()
            case "draft":
                return queryset.filter(status=Status.DRAFT)
            case "expired":
                return queryset.filter(status=Status.PUBLISHED, expires__lte=now)
        return queryset


class BodyDiffHelper(HistoricalRecordContextHelper):
    """The history list's "Changes" column, without the body: its diff has a column of its own."""

    def context_for_delta_changes(self, delta):
        body = capfirst(Article._meta.get_field("body").verbose_name)
        return [change for change in super().context_for_delta_changes(delta) if change["field"] != body]


def body_diff_html(old, new):
    """The lines of the body that changed between two versions, as a readable unified diff."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
    rows = []
    for line in list(lines)[2:]:  # skip the ---/+++ file header
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        rows.append((kind, line))
    if not rows:
        return "No change to the body."
    return format_html(
        '<pre class="body-diff">{}</pre>', format_html_join("", '<span class="body-diff__{}">{}</span>', rows)
    )


class ArticleForm(forms.ModelForm):
    def clean_image(self):
        """A newly uploaded cover gets the body images' checks and cleaning: no SVG or other
        formats, size and pixel limits, no EXIF (GPS), a random file name."""
        image = self.cleaned_data.get("image")
        if not image or image is self.initial.get("image") or not hasattr(image, "content_type"):
            return image  # unchanged or cleared
        try:
            return cleaned_upload(image)
        except ImageError as refusal:
            raise forms.ValidationError(refusal.sentence) from refusal


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin, MarkdownxModelAdmin):
    form = ArticleForm
    formfield_overrides = {**MarkdownxModelAdmin.formfield_overrides, **HTTPS_URLS}
    # The page link early: at laptop widths the admin's sidebar pushes the last columns off screen.
    list_display = ("title", "visibility", "public_link", "author", "published", "updated")
    list_filter = (
        "status",
        VisibilityFilter,
        ("author", AutocompleteListFilter),
        ("tags", AutocompleteListFilter),
        "published",
    )
    # "Show counts" ran a COUNT over every row for each choice of each filter.
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ("author",)
    # On PostgreSQL a search reads the GIN-indexed vector of these fields, not them (get_search_results).
    search_fields = ("title", "slug", "excerpt", "body")
    prepopulated_fields = {"slug": ("title",)}
    # Drilled down by index seeks: templates/admin/articles/article/change_list.html.
    date_hierarchy = "published"
    # At 100,000 articles no COUNT(*) of every row: no "N total" beside a search's count, and the
    # unfiltered count estimated on PostgreSQL (admin_changelist.py).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("author", "tags")
    actions = ["publish", "unpublish"]
    readonly_fields = (
        "public_link",
        "image_preview",
        "updated",
        "body_image_url",
        "uuid",
        "source",
        "source_id",
        "import_hash",
        "imported_at",
        "edited_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "public_link",
                    "author",
                    "status",
                    "published",
                    "expires",
                    "tags",
                    "excerpt",
                    "body",
                )
            },
        ),
        ("Images", {"fields": ("image", "image_preview", "image_alt", "image_url", "body_image_url")}),
        (
            "Details",
            {
                "classes": ("collapse",),
                "fields": ("created", "updated", "locale", "canonical_url", "source_url", "extra"),
            },
        ),
        (
            "Import",
            {
                "classes": ("collapse",),
                "fields": ("uuid", "source", "source_id", "import_hash", "imported_at", "edited_at"),
            },
        ),
    )
    history_list_display = ["body_changes"]
    object_history_template = "admin/articles/article/object_history.html"

    class Media:
        css = {"all": ["articles/admin/editor.css"]}
        js = [
            "articles/admin/preview-title.js",
            "articles/admin/editor-upload.js",
            "articles/admin/cover-preview.js",
        ]

    @property
    def media(self):
        # Defining `media` replaces the one Django makes from `class Media`: it is added here.
        return super().media + forms.Media(self.Media) + autocomplete_filter_media()

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_search_results(self, request, queryset, search_term):
        """The words of the search in the full-text index (title, excerpt and body, stemmed), or
        the start of the slug, by their indexes: no row is read to match, where `icontains` on four
        columns read every body (2.6 s at 100,000 articles on SQLite). PostgreSQL: the stored
        vector (GIN index article_search_gin) and the slug's varchar_pattern_ops index. SQLite: the
        FTS5 index (articles/sqlite_search.py) and the slug's unique index, by range."""
        search_term = search_term.strip()
        if not search_term:
            return super().get_search_results(request, queryset, search_term)
        slug_start = search_term.lower() if " " not in search_term else None
        if connections[queryset.db].vendor == "postgresql":
            words = SearchQuery(search_term, search_type="websearch", config=SEARCH_CONFIG)
            matches = models.Q(search_vector=words)
            if slug_start:
                matches |= models.Q(slug__startswith=slug_start)
            return queryset.filter(matches), False
        expression = sqlite_search.match_expression(search_term)
        if expression is None and not slug_start:
            return queryset.none(), False
        # The newest matches the count counts (COUNT_BOUND, "1000+"), when the list's filters are
        # ones the search index can check (dates, status): every match of a common word was a set
        # of 100,000 ids to gather for each of the page's dozen queries. Beyond them, sorting and
        # the date hierarchy see these matches only; a narrower search or a date reaches the rest.
        # The slug by a range, not LIKE (case-insensitive in SQLite, so it cannot use the index).
        matches = sqlite_search.matching(
            expression or '""', slug_start, newest_of=queryset, limit=COUNT_BOUND + 1
        )
        return queryset.filter(matches), False

    @admin.display(description="Visibility", ordering="status")
    def visibility(self, article):
        if article.status == Status.DRAFT:
            return "Draft"
        if article.published is None:
            return "Published, no date (not shown)"
        if article.is_scheduled:
            return f"Scheduled for {timezone.localtime(article.published):%Y-%m-%d %H:%M}"
        return "Public" if article.is_public else "Expired"

    @admin.display(description="Page")
    def public_link(self, article):
        if not article.pk:
            return "-"
        label = "View on site" if article.is_public else "Preview"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', article.get_absolute_url(), label
        )

    @admin.display(description="Current lead image")
    def image_preview(self, article):
        if not article.image:
            return "None uploaded."
        return format_html(
            '<img src="{}" alt="{}" class="cover-preview">', article.image.url, article.image_alt
        )

    def body_changes(self, record):
        """The history page's "body_changes" column: the body's diff against the version before."""
        previous = record.prev_record
        if previous is None:
            return "First version."
        return body_diff_html(previous.body, record.body)

    def get_historical_record_context_helper(self, request, historical_record):
        return BodyDiffHelper(self.model, historical_record)

    @admin.action(description="Publish (a future date stays scheduled)", permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        changed = 0
        with transaction.atomic():
            for article in queryset.exclude(status=Status.PUBLISHED, published__isnull=False):
                article.status = Status.PUBLISHED
                article.published = article.published or now
                self._save_edited(article, ["status", "published"])
                changed += 1
        self.message_user(request, f"{changed} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = 0
        with transaction.atomic():
            for article in queryset.exclude(status=Status.DRAFT):
                article.status = Status.DRAFT
                self._save_edited(article, ["status"])
                changed += 1
        self.message_user(request, f"{changed} article(s) moved back to draft.", messages.SUCCESS)

    def _save_edited(self, article, fields):
        article.edited_at = timezone.now()
        article.save(update_fields=[*fields, "edited_at"])

    def save_model(self, request, obj, form, change):
        # Marks the article as edited, so a re-import of a changed file does not overwrite it silently.
        obj.edited_at = timezone.now()
        if change:
            # A restored version is built from its history row, not loaded from the table.
            obj.compare_with_stored_row()
        super().save_model(request, obj, form, change)
