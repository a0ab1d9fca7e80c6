from django.urls import path, re_path

from . import views
from .page_cache import cached_page

app_name = "articles"

# Slugs may be Unicode (a title with no Latin letters keeps its script), so \w, not <slug:>.
urlpatterns = [
    path("", cached_page(views.article_list), name="list"),
    re_path(r"^(?P<slug>[-\w]+)$", cached_page(views.article_detail), name="detail"),
    re_path(r"^(?P<slug>[-\w]+)/$", views.article_slash_redirect, name="detail-slash"),
]
