from django.urls import path, re_path

from . import feeds, views

app_name = "articles"

# Slugs may be Unicode (a title with no Latin letters keeps its script), so \w, not <slug:>.
# "search" is matched before the article pattern; the importer refuses it as a slug (seeds.py).
SLUG = r"(?P<slug>[-\w]+)"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("feed.xml", feeds.LatestArticlesFeed(), name="feed"),
    path("atom.xml", feeds.LatestArticlesAtomFeed(), name="atom"),
    path("search", views.search, name="search"),
    re_path(rf"^author/{SLUG}$", views.author_articles, name="author"),
    re_path(rf"^author/{SLUG}/feed\.xml$", feeds.AuthorFeed(), name="author-feed"),
    re_path(rf"^author/{SLUG}/atom\.xml$", feeds.AuthorAtomFeed(), name="author-atom"),
    re_path(rf"^tag/{SLUG}$", views.tag_articles, name="tag"),
    re_path(rf"^tag/{SLUG}/feed\.xml$", feeds.TagFeed(), name="tag-feed"),
    re_path(rf"^tag/{SLUG}/atom\.xml$", feeds.TagAtomFeed(), name="tag-atom"),
    re_path(rf"^{SLUG}$", views.article_detail, name="detail"),
    re_path(rf"^{SLUG}/$", views.article_slash_redirect, name="detail-slash"),
]
