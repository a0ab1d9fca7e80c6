"""RSS and Atom feeds, site-wide and per author and tag, all starting from Article.objects.published().

Feeds carry the full article (the stored, sanitized body_html) and the real modified date
(`updated`), not the creation date, so feed readers see edits. Each feed is two queries whatever
its length: the articles with their authors, then their tags."""

import uuid

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import surrogate_keys, translations
from .models import Article, Author, Tag

FEED_LENGTH = 20


class ContentAtom1Feed(Atom1Feed):
    """Atom with the whole article in <content type="html">; Django's Atom1Feed only writes <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


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

    def articles(self, tag):
        return tag.articles.published()

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
