"""The editors' admin: drafts, scheduling, previews, image uploads and history.

Every save goes through Article.save() (the page follows) and through django-simple-history (a
version is kept). Bulk actions save article by article for the same reason, instead of .update(),
in one transaction, so that their publish events are written with them (publishing/outbox.py).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import connections, models, transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import autosaves, search_languages, sqlite_search
from .admin_changelist import (
    COUNT_BOUND,
    ArticleChangeList,
    AutocompleteListFilter,
    EstimatedCountPaginator,
    autocomplete_filter_media,
)
from .admin_conflicts import VERSION_FIELD
from .admin_editing import EditorEndpoints
from .admin_form import ArticleForm
from .admin_history import HistoryCompare
from .admin_translations import LanguageFilter, TranslationsAdmin
from .admin_widgets import LabelledSplitDateTime
from .models import Article, Author, Status, Tag

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


class ScheduleForm(forms.Form):
    schedule_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def clean_schedule_at(self):
        when = self.cleaned_data["schedule_at"]
        if when <= timezone.now():
            raise forms.ValidationError("Choose a time in the future; to publish now, use Publish.")
        return when


@admin.register(Article)
class ArticleAdmin(
    EditorEndpoints, HistoryCompare, TranslationsAdmin, SimpleHistoryAdmin, MarkdownxModelAdmin
):
    form = ArticleForm
    formfield_overrides = {
        **MarkdownxModelAdmin.formfield_overrides,
        **HTTPS_URLS,
        models.DateTimeField: {"widget": LabelledSplitDateTime},
    }
    # The page link early: at laptop widths the admin's sidebar pushes the last columns off screen.
    list_display = ("title", "visibility", "public_link", "author", "published", "updated")
    list_filter = (
        "status",
        VisibilityFilter,
        ("author", AutocompleteListFilter),
        ("tags", AutocompleteListFilter),
        LanguageFilter,
        "published",
    )
    # "Show counts" ran a COUNT over every row for each choice of each filter.
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ("author",)
    # On PostgreSQL a search reads the GIN-indexed vector of these fields, not them (get_search_results).
    search_fields = ("title", "slug", "excerpt", "body")
    # No prepopulated_fields: Django's urlify.js makes other slugs than the importer (Đường phố →
    # djng-ph, 日本語 → nothing); slug-from-title.js asks slug_view for the importer's.
    # Drilled down by index seeks: templates/admin/articles/article/change_list.html.
    date_hierarchy = "published"
    # At 100,000 articles no COUNT(*) of every row: no "N total" beside a search's count, and the
    # unfiltered count estimated on PostgreSQL (admin_changelist.py).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("author", "tags")
    actions = ["publish", "schedule", "unpublish"]
    readonly_fields = (
        "translations_panel",
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
                    VERSION_FIELD,
                )
            },
        ),
        ("Language and translations", {"fields": ("locale", "translation_key", "translations_panel")}),
        ("Images", {"fields": ("image", "image_preview", "image_alt", "image_url", "body_image_url")}),
        (
            "Details",
            {
                "classes": ("collapse",),
                "fields": ("created", "updated", "canonical_url", "source_url", "extra"),
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

    class Media:
        css = {"all": ["articles/admin/editor.css"]}
        js = [
            "articles/admin/preview-title.js",
            "articles/admin/editor-upload.js",
            "articles/admin/cover-preview.js",
            "articles/admin/presence.js",
            "articles/admin/slug-from-title.js",
            "articles/admin/autosave.js",
            "articles/admin/preview-follow.js",
            "articles/admin/editor-keyboard.js",
            "articles/admin/unsaved-changes.js",
            "articles/admin/local-draft.js",
            "articles/admin/editor-stats.js",
            "articles/admin/content-checks.js",
            "articles/admin/image-drop.js",
            "articles/admin/preview-widths.js",
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
            words = search_languages.words(search_term, settings.SITE_LANGUAGES)
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

    @admin.action(description="Schedule (publish at a time you choose)", permissions=["change"])
    def schedule(self, request, queryset):
        """Asks for the time on a page of its own (the site's time zone named beside the picker),
        then publishes the chosen articles at that time: public from then on, with no request
        needed (publishing/scheduling.py fires the event)."""
        form = ScheduleForm(request.POST if "schedule_at" in request.POST else None)
        if form.is_bound and form.is_valid():
            when = form.cleaned_data["schedule_at"]
            with transaction.atomic():
                for article in queryset:
                    article.status, article.published = Status.PUBLISHED, when
                    self._save_edited(article, ["status", "published"])
            self.message_user(
                request,
                f"{len(queryset)} article(s) scheduled for {timezone.localtime(when):%Y-%m-%d %H:%M} "
                f"({timezone.get_current_timezone_name()}).",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Schedule articles",
            "articles": queryset,
            "form": form,
            "time_zone": timezone.get_current_timezone_name(),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/schedule.html", context)

    def get_changeform_initial_data(self, request):
        # A new article starts as a draft: publishing is a decision, not a default.
        return {"status": Status.DRAFT, **super().get_changeform_initial_data(request)}

    def save_related(self, request, form, formsets, change):
        if change and not form.has_changed() and not any(formset.has_changed() for formset in formsets):
            return
        super().save_related(request, form, formsets, change)

    def _save_edited(self, article, fields):
        article.edited_at = timezone.now()
        article.save(update_fields=[*fields, "edited_at"])

    def save_model(self, request, obj, form, change):
        if change and obj.loaded_from_table and not form.has_changed():
            # The editor changed nothing: no `updated`, no `edited_at` (which makes the next import
            # skip the file), no version, no publish event. (A restored version is built from its
            # history row, not loaded: restoring it is a change even from an unchanged form.)
            autosaves.forget(obj, request.user)
            return
        # Marks the article as edited, so a re-import of a changed file does not overwrite it silently.
        obj.edited_at = timezone.now()
        if change:
            # A restored version is built from its history row, not loaded from the table.
            obj.compare_with_stored_row()
        super().save_model(request, obj, form, change)
        autosaves.forget(obj, request.user)  # saved: the autosaved text is in the article now
