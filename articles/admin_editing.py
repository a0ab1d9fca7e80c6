"""What the article change page's scripts ask the admin while an editor works, as a mixin of
ArticleAdmin: who else has the article open (presence.js), the slug a title makes
(slug-from-title.js) and the autosaved text (autosave.js). Each answers JSON and checks the same
permissions as the change page.
"""

from django.contrib import messages
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone

from . import autosaves
from .admin_conflicts import VERSION_FIELD, current_version, note_open, presence_notice
from .models import Article
from .slugs import first_free_slug, slug_from_title


class EditorEndpoints:
    def get_urls(self):
        def view(name, pattern, function):
            return path(pattern, self.admin_site.admin_view(function), name=f"articles_article_{name}")

        return [
            view("slug", "slug/", self.slug_view),
            view("presence", "<path:object_id>/presence/", self.presence_view),
            view("autosave", "<path:object_id>/autosave/", self.autosave_view),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and object_id:
            self._tell_who_else_is_editing(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def _tell_who_else_is_editing(self, request, object_id):
        article = self._editable(request, object_id)
        if article is not None:
            notice = presence_notice(note_open(article.pk, request.user))
            if notice:
                messages.warning(request, notice)

    def _editable(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_change_permission(request, article):
            return None
        return article

    def slug_view(self, request):
        """The slug the importer would make of ?title=, made free of other articles' (not ?pk='s)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return JsonResponse({"error": "You may not edit articles."}, status=403)
        pk = request.GET.get("pk", "")
        others = Article.objects.exclude(pk=int(pk)) if pk.isdigit() else Article.objects.all()
        slug = slug_from_title(request.GET.get("title", ""))
        if not slug:
            return JsonResponse({"slug": ""})
        return JsonResponse(
            {"slug": first_free_slug(slug, lambda candidate: others.filter(slug=candidate).exists())}
        )

    def presence_view(self, request, object_id):
        """The open change page's heartbeat: still open; who else has it open."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._editable(request, object_id)
        if article is None:
            return JsonResponse({"error": "No such article, or you may not edit it."}, status=404)
        return JsonResponse({"notice": presence_notice(note_open(article.pk, request.user))})

    def autosave_view(self, request, object_id):
        """POST: keep the form's text as typed (never in the article). POST with discard=1: drop
        it. GET: the editor's autosaved text when it differs from the article, else null."""
        if request.method not in {"GET", "POST"}:
            return HttpResponseNotAllowed(["GET", "POST"])
        article = self._editable(request, object_id)
        if article is None:
            return JsonResponse({"error": "No such article, or you may not edit it."}, status=404)
        if request.method == "GET":
            autosave = autosaves.unsaved(article, request.user)
            return JsonResponse({"autosave": _described(autosave, article) if autosave else None})
        if request.POST.get("discard"):
            autosaves.forget(article, request.user)
            return JsonResponse({"autosave": None})
        version = request.POST.get(VERSION_FIELD, "")
        autosave = autosaves.keep(
            article, request.user, request.POST, int(version) if version.isdigit() else None
        )
        return JsonResponse({"autosave": _described(autosave, article)})


def _described(autosave, article):
    saved = timezone.localtime(autosave.saved)
    return {
        "fields": autosave.fields,
        "saved": saved.isoformat(),
        "saved_label": f"{saved:%Y-%m-%d %H:%M:%S}",
        # The article was saved since the editor's form was loaded: restoring would undo that save.
        "article_changed_since": autosave.base_version is not None
        and autosave.base_version != current_version(article.pk),
    }
