"""What one content change means for everything outside the database: the contract between the
code that records changes (the outbox) and the receivers that act on them (the edge cache, the
page cache, webhooks).

A Change is immutable and JSON-ready. `id` is the idempotency id every receiver dedupes on: a
receiver may be handed the same Change twice (a worker killed mid-delivery is restarted) and must
then act once.

Surrogate keys name groups of pages. A cacheable public response lists the keys of everything it
shows (the `xkey` and `Cache-Tag` headers), and a Change lists the keys whose pages it makes stale,
so purging the Change's keys refreshes exactly the pages that show what changed:

| key | carried by |
| --- | --- |
| `site` | every cacheable public response (a whole-site purge: an author or tag renamed) |
| `article-<pk>` | the article's own page |
| `neighbour-<pk>` | the pages that link to article pk as their previous or next article |
| `list` | the blog list, all its pages |
| `author-<pk>` | the author's article list (all pages) and the author's feeds |
| `tag-<pk>` | the tag's article list (all pages) and the tag's feeds |
| `feed` | the site-wide RSS and Atom feeds |
| `sitemap` | the sitemap's index and its document of pages that are not articles |
| `sitemap-articles-<n>` | the sitemap's document of articles with ids in range n (articles/sitemaps.py) |
| `search` | search result pages |
| `api` | the content API (reserved) |
"""

from dataclasses import dataclass, field
from datetime import datetime


class EventKind:
    """What happened, as webhooks and logs name it (Ghost's post.published and friends)."""

    PUBLISHED = "article.published"  # readers can see it now and could not before
    UPDATED = "article.updated"  # readers could and still can see it, and what they see changed
    UNPUBLISHED = "article.unpublished"  # readers could see it and no longer can (draft, expired)
    DELETED = "article.deleted"  # it was public and its row is gone
    SITE_CHANGED = "site.changed"  # anything public changed; every Change above is one too

    ARTICLE_KINDS = (PUBLISHED, UPDATED, UNPUBLISHED, DELETED)
    ALL = (*ARTICLE_KINDS, SITE_CHANGED)


SITE_KEY = "site"


@dataclass(frozen=True)
class Change:
    id: str  # the outbox event's UUID (hex): the idempotency id
    kind: str  # one of EventKind.ALL
    occurred_at: datetime  # aware; for a scheduled publish or expiry, the scheduled time
    keys: frozenset[str] = field(default_factory=frozenset)  # surrogate keys to purge
    paths: frozenset[str] = field(default_factory=frozenset)  # URL paths to purge ("/blog/x")
    article: dict | None = None  # JSON-ready snapshot after the change (before it, for a delete)

    def as_payload(self):
        """The body a webhook receives (JSON-ready)."""
        return {
            "id": self.id,
            "event": self.kind,
            "created_at": self.occurred_at.isoformat(),
            "data": {"article": self.article},
        }
