"""Translations in the admin, with no second admin to learn: the change form shows the article's
translation set and which of the site's languages it lacks, with a link that starts a translation
(a new draft in the set, the source's fields copied), and the change list filters by language."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .models import Article, Status
from .templatetags.article_tags import native_language_name
from .translations import in_language, normalized, site_language

# What a new translation starts with: the source's, to be translated.
COPIED_TO_A_TRANSLATION = (
    "title",
    "excerpt",
    "body",
    "image_url",
    "image_alt",
    "canonical_url",
    "source_url",
)


def site_languages():
    """The languages the site publishes in (SITE_LANGUAGES), the site's own first."""
    codes = [normalized(code) for code in settings.SITE_LANGUAGES]
    return [site_language(), *(code for code in codes if code.lower() != site_language().lower())]


class LanguageFilter(admin.SimpleListFilter):
    """By the site's languages (no DISTINCT over every row): an article with no locale is in the
    site's language."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, f"{native_language_name(code)} ({code})") for code in site_languages()]

    def queryset(self, request, queryset):
        return in_language(queryset, self.value()) if self.value() else queryset


class TranslationsAdmin:
    @admin.display(description="Translations")
    def translations_panel(self, article):
        if not article.pk:
            return "Save the article first; then translations can be added to it."
        versions = []
        if article.translation_key:
            in_set = Article.objects.filter(translation_key=article.translation_key).exclude(pk=article.pk)
            versions = list(in_set.only("pk", "title", "locale", "status").order_by("locale"))
        present = {article.language.lower(), *(version.language.lower() for version in versions)}
        missing = [code for code in site_languages() if code.lower() not in present]
        rows = format_html_join(
            "",
            '<li><a href="{}" lang="{}">{}</a> ({}){}</li>',
            (
                (
                    reverse("admin:articles_article_change", args=[version.pk]),
                    version.language,
                    version.title,
                    native_language_name(version.language),
                    " - draft" if version.status == Status.DRAFT else "",
                )
                for version in versions
            ),
        )
        adds = format_html_join(
            ", ",
            '<a href="{}?translation_of={}&amp;locale={}">{}</a>',
            (
                (reverse("admin:articles_article_add"), article.pk, code, native_language_name(code))
                for code in missing
            ),
        )
        return format_html(
            '<div class="translations-panel"><ul>{}</ul><p>{}</p></div>',
            rows or mark_safe("<li>No translations yet.</li>"),
            format_html("Missing: {}. Add a translation: {}", ", ".join(missing), adds)
            if missing
            else "Every site language has a version.",
        )

    def get_changeform_initial_data(self, request):
        """?translation_of=<pk>&locale=fr: a new article in the source's set, its fields copied,
        a draft until the translation is done."""
        initial = super().get_changeform_initial_data(request)
        source = _source(request)
        if source is None:
            return initial
        copied = {name: getattr(source, name) for name in COPIED_TO_A_TRANSLATION}
        return {
            **initial,
            **copied,
            "author": source.author_id,
            "tags": [tag.pk for tag in source.tags.all()],
            "translation_key": source.translation_key or _new_key(source),
            "status": Status.DRAFT,
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        source = None if change else _source(request)
        if source is not None and not source.translation_key and obj.translation_key == _new_key(source):
            # The source joins the set it started: one UPDATE, its pages follow through its events.
            source.translation_key = obj.translation_key
            source.save(update_fields=["translation_key"])


def _source(request):
    pk = request.GET.get("translation_of", "")
    return Article.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def _new_key(source):
    return f"article-{source.uuid.hex if source.uuid else source.pk}"
