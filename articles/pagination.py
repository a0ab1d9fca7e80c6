"""Keyset ("seek") pagination for the article lists: a page is the articles published before a key.

An older page's address names the last article above it, `?before=<published>,<pk>`, so a page costs
one indexed seek of ARTICLES_PER_PAGE + 1 rows however deep it is: no OFFSET, no count of every
public row (issue 11). The same key always gives the same page, which keeps page-cache addresses
stable. The order is the list's: newest first, ties broken by pk (Article.Meta.ordering)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q
from django.http import Http404

_KEY = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?)Z,(\d+)$")


@dataclass(frozen=True)
class Key:
    """A position in the list: an article's publication time and pk."""

    published: datetime
    pk: int

    @classmethod
    def of(cls, article):
        return cls(article.published, article.pk)

    @classmethod
    def parse(cls, text):
        """The key an address names; a malformed one is a page that does not exist."""
        match = _KEY.match(text)
        try:
            return cls(datetime.fromisoformat(match[1]).replace(tzinfo=UTC), int(match[2]))
        except (TypeError, ValueError) as err:  # no match, or no such date
            raise Http404("No such page.") from err

    def __str__(self):
        stamp = self.published.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="auto")
        return f"{stamp}Z,{self.pk}"


def older_than(articles, key):
    """`articles` after `key` in the list's order. The redundant `published <= key` lets the index
    seek straight to the key; the OR only settles ties on the same second. It comes first in the
    WHERE: of two upper bounds on one column given as parameters, SQLite seeks by the first, and
    `published <= now` would have it read every newer article's index entry."""
    seek = articles.model.objects.filter(published__lte=key.published).filter(
        Q(published__lt=key.published) | Q(published=key.published, pk__lt=key.pk)
    )
    return (seek & articles).select_related("author").defer(*articles.query.deferred_loading[0])


def newer_than(articles, key):
    return articles.filter(published__gte=key.published).filter(
        Q(published__gt=key.published) | Q(published=key.published, pk__gt=key.pk)
    )


@dataclass
class Page:
    articles: list
    newer: Key | None  # the key of the newer page's address; None: the list's own address
    has_newer: bool
    older: Key | None  # None: this is the oldest page


def page_before(articles, key, size):
    """The `size` articles of `articles` (public, any order) after `key` (None: from the newest),
    and the keys of the pages either side: two indexed seeks, the second only below the first page."""
    ordered = articles.order_by("-published", "-pk")
    rows = list((older_than(ordered, key) if key else ordered)[: size + 1])
    shown, more = rows[:size], len(rows) > size
    newer, has_newer = None, False
    if key is not None and shown:
        # The newer page ends just above this one: it is `before` the article `size` places up.
        above = list(
            newer_than(articles.order_by("published", "pk"), Key.of(shown[0])).values_list("published", "pk")[
                : size + 1
            ]
        )
        has_newer = bool(above)
        newer = Key(*above[size]) if len(above) > size else None
    return Page(shown, newer, has_newer, Key.of(shown[-1]) if more else None)


def key_at(articles, offset, size):
    """The key of the article at `offset` in the list's order (for an old `?page=N` address), or the
    key that gives the oldest page when `offset` is past the end; None when that is the first page."""
    keys = articles.order_by("-published", "-pk").values_list("published", "pk")
    found = (
        keys[offset : offset + 1]
        or articles.order_by("published", "pk").values_list("published", "pk")[size : size + 1]
    )
    return Key(*found[0]) if found else None
