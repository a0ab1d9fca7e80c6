"""RSS and Atom feeds, site-wide and per author and tag, and a site-wide JSON Feed 1.1, all starting
from Article.objects.published().

Feeds carry the full article (the stored, sanitized body_html) and the real modified date
(`updated`), not the creation date, so feed readers see edits. Each feed is two queries whatever
its length: the articles with their authors, then their tags."""

import json
import uuid

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed

from . import surrogate_keys, translations
from .models import Article, Author, Tag
from .tag_links import TagLink

FEED_LENGTH = 20


class ContentAtom1Feed(Atom1Feed):
    """Atom with the whole article in <content type="html">; Django's Atom1Feed only writes <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class JsonFeed11(SyndicationFeed):
    """JSON Feed 1.1 (jsonfeed.org/version/1.1) from the same items as RSS and Atom. Absent optional
    fields are left out, not written as null, as the spec asks."""

    content_type = "application/feed+json; charset=utf-8"
    VERSION = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding):
        feed = {
            "version": self.VERSION,
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(_present(feed), ensure_ascii=False).encode(encoding))

    @staticmethod
    def _item(item):
        author = _present({"name": item["author_name"], "url": item["author_link"]})
        return _present(
            {
                "id": item["unique_id"],
                "url": item["link"],
                "title": item["title"],
                "content_html": item["content"],
                "summary": item["description"],
                "image": item.get("image"),
                # RFC 3339: the stored datetimes are aware, so isoformat() writes their offset.
                "date_published": item["pubdate"] and item["pubdate"].isoformat(),
                "date_modified": item["updateddate"] and item["updateddate"].isoformat(),
                "authors": [author] if author else None,
                "tags": list(item["categories"]) or None,
                "language": item.get("language"),
            }
        )


def _present(fields):
    return {name: value for name, value in fields.items() if value not in (None, "")}


class LatestArticlesFeed(Feed):
    """RSS 2.0: <description> holds the whole article."""

    url_name = "articles:feed"

    def __call__(self, request, *args, **kwargs):
        # ?lang=fr narrows the feed to one language; items() sees no request, hence the context.
        with translations.narrowed_to(translations.requested_language(request)):
            return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        surrogate_keys.add(request, surrogate_keys.FEED)
        return None

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        articles = translations.in_narrowed_language(self.articles(obj))
        return articles.select_related("author").prefetch_related("tags")[:FEED_LENGTH]

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return f"The newest articles on {settings.SITE_NAME}."

    def link(self, obj):
        return reverse("articles:list")

    def feed_url(self, obj):
        url = reverse(self.url_name, kwargs={"slug": obj.slug} if obj else None)
        language = translations.narrowed_language()
        return f"{url}?{translations.LANGUAGE_PARAMETER}={language}" if language else url

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_guid(self, item):
        """A stable id, so a changed slug or title is not a new entry in readers: the article's own
        uuid when its source gives one, else one derived from its primary key."""
        return f"urn:uuid:{item.uuid or uuid.uuid5(uuid.NAMESPACE_URL, f'article:{item.pk}')}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return item.author.name if item.author else None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    """Atom: <summary> is the excerpt and <content> the whole article."""

    feed_type = ContentAtom1Feed
    url_name = "articles:atom"

    def subtitle(self, obj):
        return self.description(obj)

    def item_description(self, item):
        return item.excerpt or None

    def item_extra_kwargs(self, item):
        return {"content": item.body_html}


class LatestArticlesJsonFeed(LatestArticlesFeed):
    """JSON Feed 1.1: content_html is the whole article (the stored, sanitized body_html), summary the
    excerpt; every address is absolute on the configured site domain."""

    feed_type = JsonFeed11
    url_name = "articles:json-feed"

    def get_feed(self, obj, request):
        """Django makes the feed's and items' links absolute; the lead image and the author's page
        are made so here (per request, not on this instance, which all requests share)."""
        feed = super().get_feed(obj, request)
        domain, secure = get_current_site(request).domain, request.is_secure()
        for item in feed.items:
            for name in ("image", "author_link"):
                if item.get(name):
                    item[name] = add_domain(domain, item[name], secure)
        return feed

    def item_description(self, item):
        return item.excerpt or None

    def item_author_link(self, item):
        return item.author.url or item.author.get_absolute_url()

    def item_extra_kwargs(self, item):
        return {"content": item.body_html, "image": item.lead_image_url, "language": item.locale or None}


class AuthorFeedMixin:
    def get_object(self, request, slug=None):
        author = get_object_or_404(Author, slug=slug)
        surrogate_keys.add(request, surrogate_keys.author(author.pk))
        return author

    def articles(self, author):
        return author.articles.published()

    def title(self, author):
        return f"{settings.SITE_NAME}: articles by {author.name}"

    def description(self, author):
        return f"The newest articles by {author.name} on {settings.SITE_NAME}."

    def link(self, author):
        return author.get_absolute_url()


class TagFeedMixin:
    def get_object(self, request, slug=None):
        tag = get_object_or_404(Tag, slug=slug)
        surrogate_keys.add(request, surrogate_keys.tag(tag.pk))
        return tag

    def items(self, tag):
        """The tag's newest links by one seek of their index (articles/tag_links.py), then only
        those articles by primary key: narrowing the articles instead walked every public one."""
        links = translations.in_narrowed_language(
            TagLink.objects.filter(tag=tag).published(), via="article__"
        )
        newest = links.order_by("-published", "-article_id").values("article_id")[:FEED_LENGTH]
        articles = Article.objects.filter(pk__in=newest).order_by("-published", "-pk")
        return articles.select_related("author").prefetch_related("tags")

    def title(self, tag):
        return f"{settings.SITE_NAME}: articles tagged {tag.name}"

    def description(self, tag):
        return f"The newest articles tagged {tag.name} on {settings.SITE_NAME}."

    def link(self, tag):
        return tag.get_absolute_url()


class AuthorFeed(AuthorFeedMixin, LatestArticlesFeed):
    url_name = "articles:author-feed"


class AuthorAtomFeed(AuthorFeedMixin, LatestArticlesAtomFeed):
    url_name = "articles:author-atom"


class TagFeed(TagFeedMixin, LatestArticlesFeed):
    url_name = "articles:tag-feed"


class TagAtomFeed(TagFeedMixin, LatestArticlesAtomFeed):
    url_name = "articles:tag-atom"
