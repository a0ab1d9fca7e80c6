import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from articles import editor, sitemaps
from articles.page_cache import cached_page
from articles.views import robots_txt
from cms.health import healthz, ping

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="articles:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("markdownx/markdownify/", editor.markdown_preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.image_upload, name="markdownx_upload"),
    path("blog/", include("articles.urls")),
    path("api/v1/", include("content_api.urls")),
    path("sitemap.xml", cached_page(sitemaps.index), name="sitemap"),
    path("sitemap-pages.xml", cached_page(sitemaps.pages), name="sitemap-pages"),
    path("sitemap-articles-<int:number>.xml", cached_page(sitemaps.articles), name="sitemap-articles"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
]
if settings.SERVE_MEDIA:
    # static() only answers with DEBUG on; serve() is what it would use, for `make serve` on one machine.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
