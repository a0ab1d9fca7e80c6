"""Keyset ("seek") pagination for the article lists: a page is the articles published before a key.

An older page's address names the last article above it, `?before=<published>,<pk>`, so a page costs
one indexed seek of ARTICLES_PER_PAGE + 1 rows however deep it is: no OFFSET, no count of every
public row (issue 11). The same key always gives the same page, which keeps page-cache addresses
stable. The order is the list's: newest first, ties broken by pk (Article.Meta.ordering).

The rows paged are articles, or rows that stand for them in the same order: a tag's links
(articles/tag_links.py), whose `published` is their article's and whose `article_id` breaks ties
(`tie`)."""

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
    def of(cls, row, tie="pk"):
        return cls(row.published, getattr(row, tie))

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


def older_than(rows, key, tie="pk"):
    """`rows` after `key` in the list's order. The redundant `published <= key` lets the index
    seek straight to the key; the OR only settles ties on the same second. It comes first in the
    WHERE: of two upper bounds on one column given as parameters, SQLite seeks by the first, and
    `published <= now` would have it read every newer article's index entry."""
    seek = rows.model.objects.filter(published__lte=key.published).filter(
        Q(published__lt=key.published) | Q(published=key.published, **{f"{tie}__lt": key.pk})
    )
    # Combining keeps the filters and the order, not what is loaded: that is set again.
    combined = seek & rows
    combined.query.select_related = rows.query.select_related
    return combined.defer(*rows.query.deferred_loading[0])


def newer_than(rows, key, tie="pk"):
    return rows.filter(published__gte=key.published).filter(
        Q(published__gt=key.published) | Q(published=key.published, **{f"{tie}__gt": key.pk})
    )


@dataclass
class Page:
    rows: list
    newer: Key | None  # the key of the newer page's address; None: the list's own address
    has_newer: bool
    older: Key | None  # None: this is the oldest page


def page_before(rows, key, size, tie="pk"):
    """The `size` rows of `rows` (public, any order) after `key` (None: from the newest), and the
    keys of the pages either side: two indexed seeks, the second only below the first page."""
    ordered = rows.order_by("-published", f"-{tie}")
    found = list((older_than(ordered, key, tie) if key else ordered)[: size + 1])
    shown, more = found[:size], len(found) > size
    newer, has_newer = None, False
    if key is not None and shown:
        # The newer page ends just above this one: it is `before` the row `size` places up.
        above = list(
            newer_than(rows.order_by("published", tie), Key.of(shown[0], tie), tie).values_list(
                "published", tie
            )[: size + 1]
        )
        has_newer = bool(above)
        newer = Key(*above[size]) if len(above) > size else None
    return Page(shown, newer, has_newer, Key.of(shown[-1], tie) if more else None)


def key_at(rows, offset, size, tie="pk"):
    """The key of the row at `offset` in the list's order (for an old `?page=N` address), or the
    key that gives the oldest page when `offset` is past the end; None when that is the first page."""
    keys = rows.order_by("-published", f"-{tie}").values_list("published", tie)
    found = (
        keys[offset : offset + 1]
        or rows.order_by("published", tie).values_list("published", tie)[size : size + 1]
    )
    return Key(*found[0]) if found else None
