"""The editor's endpoints behind the markdownx widget: preview and image upload, staff only.

markdownx's own URLs answer anyone, and a preview or an upload is editing: ours answer 403 to
everyone but active staff. The preview renders with the article's title, so the body H1 rule makes
the preview equal the page. The upload replaces markdownx's ImageUploadView, which trusts the
browser's content type and keeps EXIF; ours checks the bytes and cleans them (images/uploads.py).
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_POST

from .images import ImageError
from .images.uploads import store_body_image
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


@require_POST
@staff_only
def image_upload(request):
    """Answers as markdownx's widget expects: {"image_code": Markdown} on success, else 400 with
    {"image": [message]} (the widget raises markdownx.fileUploadError; editor-upload.js shows it)."""
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["No file was sent; drop an image onto the editor."]}, status=400)
    try:
        url = store_body_image(upload)
    except ImageError as refusal:
        return JsonResponse({"image": [refusal.sentence]}, status=400)
    return JsonResponse({"image_code": f"![]({url})"})
