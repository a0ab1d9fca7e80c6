"""An article's history in the admin: each version's body diff against the one before (the history
page's column) and any two versions compared side by side (the compare page), as a mixin of
ArticleAdmin. django-simple-history keeps the versions; restoring one is its revert page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

from .autosaves import AUTOSAVED_FIELDS
from .body_diff import body_diff_html
from .models import Article

# The fields the compare page lists when two versions differ in them (the body has its diff).
COMPARED_FIELDS = tuple(
    name
    for name in (*AUTOSAVED_FIELDS, "author", "status", "published", "expires", "image", "created")
    if name != "body"
)
# Versions offered in the compare page's choices, newest first.
VERSIONS_OFFERED = 200


class BodyDiffHelper(HistoricalRecordContextHelper):
    """The history list's "Changes" column, without the body: its diff has a column of its own."""

    def context_for_delta_changes(self, delta):
        body = capfirst(Article._meta.get_field("body").verbose_name)
        return [change for change in super().context_for_delta_changes(delta) if change["field"] != body]


class HistoryCompare:
    history_list_display = ["body_changes"]
    object_history_template = "admin/articles/article/object_history.html"

    def get_urls(self):
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        return [compare, *super().get_urls()]

    def body_changes(self, record):
        """The history page's "body_changes" column: the body's diff against the version before."""
        previous = record.prev_record
        if previous is None:
            return "First version."
        return body_diff_html(previous.body, record.body)

    def get_historical_record_context_helper(self, request, historical_record):
        return BodyDiffHelper(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        versions = _versions(article) if article is not None else []
        return super().history_view(request, object_id, {**(extra_context or {}), "versions": versions})

    def compare_view(self, request, object_id):
        """?a=<version>&b=<version>: what changed from version a to version b, any two of them."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such article.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        history = Article.history.model.objects.filter(id=article.pk).select_related("history_user")
        chosen = {}
        for side in ("a", "b"):
            number = request.GET.get(side, "")
            version = history.filter(history_id=int(number)).first() if number.isdigit() else None
            if version is None:
                raise Http404(f"No version {number!r} of this article (parameter {side!r}).")
            chosen[side] = version
        older, newer = sorted(chosen.values(), key=lambda version: version.history_date)
        changes = [
            (capfirst(Article._meta.get_field(name).verbose_name), getattr(older, name), getattr(newer, name))
            for name in COMPARED_FIELDS
            if getattr(older, name) != getattr(newer, name)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": article,
            "title": f"Compare versions of “{article}”",
            "older": older,
            "newer": newer,
            "changes": changes,
            "body_diff": body_diff_html(older.body, newer.body) if older.body != newer.body else "",
            "versions": _versions(article),
        }
        return TemplateResponse(request, "admin/articles/article/history_compare.html", context)


def _versions(article):
    history = Article.history.model.objects.filter(id=article.pk).select_related("history_user")
    return list(history.order_by("-history_date", "-history_id")[:VERSIONS_OFFERED])
