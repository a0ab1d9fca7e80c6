"""/sitemap.xml: the list and every public article, each with its real modified date (`updated`)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().only("slug", "updated").order_by("-published", "-pk")

    def lastmod(self, article):
        return article.updated


class ListSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["articles:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"list": ListSitemap, "articles": ArticleSitemap}
