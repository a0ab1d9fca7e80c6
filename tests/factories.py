"""Plain factory functions: keyword overrides, unique defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Author, Status

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
