from django.urls import path, re_path

from . import views

app_name = "articles"

# Slugs may be Unicode (a title with no Latin letters keeps its script), so \w, not <slug:>.
urlpatterns = [
    path("", views.article_list, name="list"),
    re_path(r"^(?P<slug>[-\w]+)$", views.article_detail, name="detail"),
    re_path(r"^(?P<slug>[-\w]+)/$", views.article_slash_redirect, name="detail-slash"),
]
