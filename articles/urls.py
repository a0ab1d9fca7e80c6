from django.urls import path, re_path

from . import feeds, views
from .page_cache import cached_page

app_name = "articles"

# Slugs may be Unicode (a title with no Latin letters keeps its script), so \w, not <slug:>.
# "search" is matched before the article pattern; the importer refuses it as a slug (seed_fields.py).
SLUG = r"(?P<slug>[-\w]+)"
urlpatterns = [
    path("", cached_page(views.article_list), name="list"),
    path("feed.xml", cached_page(feeds.LatestArticlesFeed()), name="feed"),
    path("atom.xml", cached_page(feeds.LatestArticlesAtomFeed()), name="atom"),
    path("feed.json", cached_page(feeds.LatestArticlesJsonFeed()), name="json-feed"),
    # The edge keeps search pages (purged by `search`); our own cache does not (endless addresses).
    path("search", cached_page(views.search, store=False), name="search"),
    re_path(rf"^author/{SLUG}$", cached_page(views.author_articles), name="author"),
    re_path(rf"^author/{SLUG}/feed\.xml$", cached_page(feeds.AuthorFeed()), name="author-feed"),
    re_path(rf"^author/{SLUG}/atom\.xml$", cached_page(feeds.AuthorAtomFeed()), name="author-atom"),
    re_path(rf"^tag/{SLUG}$", cached_page(views.tag_articles), name="tag"),
    re_path(rf"^tag/{SLUG}/feed\.xml$", cached_page(feeds.TagFeed()), name="tag-feed"),
    re_path(rf"^tag/{SLUG}/atom\.xml$", cached_page(feeds.TagAtomFeed()), name="tag-atom"),
    re_path(rf"^{SLUG}$", cached_page(views.article_detail), name="detail"),
    re_path(rf"^{SLUG}/$", views.article_slash_redirect, name="detail-slash"),
]
