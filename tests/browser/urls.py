"""The site's URLs plus uploaded media, for the browser tests' live server.

Tests store files in InMemoryStorage (tests/settings.py) and the live server runs with DEBUG off, so
neither static() nor a web server serves /media/ there; this view reads through the storage API,
the same way the upload stored the file.
"""

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import re_path

from cms.urls import urlpatterns as site_urlpatterns


def media_from_storage(request, path):
    if not default_storage.exists(path):
        raise Http404(path)
    return FileResponse(default_storage.open(path), content_type=mimetypes.guess_type(path)[0])


urlpatterns = [
    *site_urlpatterns,
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media_from_storage),
]
