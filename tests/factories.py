"""Plain factory functions: keyword overrides, unique defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Author, Status, Tag

_numbers = itertools.count(1)


def make_author(**overrides):
    number = next(_numbers)
    values = {"name": f"Author {number}", "slug": f"author-{number}"}
    values.update(overrides)
    return Author.objects.create(**values)


def make_article(**overrides):
    number = next(_numbers)
    values = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "body": f"Body of article {number}.",
        "excerpt": f"Excerpt {number}.",
        "status": Status.PUBLISHED,
        "published": timezone.now() - timedelta(days=number),
    }
    values.update(overrides)
    return Article.objects.create(**values)


def tag(article, *names):
    """Add tags by name to `article` (created with a lower-case slug when new); returns the article."""
    for name in names:
        found, _ = Tag.objects.get_or_create(slug=name.lower(), defaults={"name": name})
        article.tags.add(found)
    return article


def admin_form_data(article, **changes):
    """The admin change form's POST data for `article` as it stands, with `changes` applied."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id or "",
        "status": article.status,
        "published_0": article.published.strftime("%Y-%m-%d"),
        "published_1": article.published.strftime("%H:%M:%S"),
        "excerpt": article.excerpt,
        "body": article.body,
        "image_url": article.image_url,
        "created_0": "",
        "created_1": "",
        "locale": article.locale,
        "canonical_url": article.canonical_url,
        "source_url": article.source_url,
        "extra": "{}",
        "expires_0": "",
        "expires_1": "",
    }
    data.update(changes)
    return data
