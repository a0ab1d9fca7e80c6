from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import RedirectView

from articles import editor
from articles.sitemaps import SITEMAPS
from articles.views import robots_txt

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="articles:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("markdownx/markdownify/", editor.markdown_preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.image_upload, name="markdownx_upload"),
    path("blog/", include("articles.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
