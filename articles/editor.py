"""The editor's endpoints behind the markdownx widget: preview and image upload, staff only.

markdownx's own URLs answer anyone; ours answer 403 to everyone but active staff (issue #2). The
preview renders with the article's title, so the body H1 rule makes the preview equal the page.
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_POST
from markdownx.views import ImageUploadView

from .markdown import render


def staff_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            return HttpResponseForbidden("Staff only.")
        return view(request, *args, **kwargs)

    return guarded


@require_POST
@staff_only
def markdown_preview(request):
    title = request.POST.get("title") or request.GET.get("title") or ""
    return HttpResponse(render(request.POST.get("content", ""), title=title))


image_upload = require_POST(staff_only(ImageUploadView.as_view()))
