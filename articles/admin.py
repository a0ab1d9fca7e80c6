from django.contrib import admin
from django.db import models
from django.utils import timezone
from markdownx.admin import MarkdownxModelAdmin

from .models import Article, Author, Tag


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


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    formfield_overrides = {**MarkdownxModelAdmin.formfield_overrides, **HTTPS_URLS}
    list_display = ("title", "author", "status", "published", "updated")
    list_filter = ("status", "author", "tags", "published")
    list_select_related = ("author",)
    search_fields = ("title", "excerpt")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published"
    autocomplete_fields = ("author", "tags")
    readonly_fields = ("updated", "body_image_url", "uuid", "source", "source_id", "import_hash",
                       "imported_at", "edited_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "status", "published", "expires", "tags", "excerpt",
                           "body")}),
        ("Images", {"fields": ("image", "image_url", "body_image_url")}),
        ("Details", {"classes": ("collapse",),
                     "fields": ("created", "updated", "locale", "canonical_url", "source_url", "extra")}),
        ("Import", {"classes": ("collapse",),
                    "fields": ("uuid", "source", "source_id", "import_hash", "imported_at", "edited_at")}),
    )

    class Media:
        css = {"all": ["articles/admin/editor.css"]}
        js = ["articles/admin/preview-title.js"]

    def save_model(self, request, obj, form, change):
        # Marks the article as edited, so a re-import of a changed file does not overwrite it silently.
        obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)
