"""A stream of reader requests with Zipf-distributed popularity, for bench/cache_replay.py.

Articles get a popularity rank at random (rank r is asked for with weight r^-s); the other pages are
reached as readers reach them: an author's or a tag's page (and their feeds) by way of an article
read, so popular authors and tags are as popular as their articles; the list's first page often,
its deeper pages less and less the deeper they are (Zipf again, over the pages); the site's feeds
polled by readers' feed readers. KINDS gives the shares; nothing here needs Django.
"""

import itertools
import random
from dataclasses import dataclass

# Shares of the requests (assumed, in the proportions a blog's access log shows: mostly articles
# reached from search engines and links, then the home page, feeds polled, and browsing by tag).
KINDS = {
    "article": 0.80,
    "list, first page": 0.06,
    "list, deeper page": 0.02,
    "author page": 0.03,
    "tag page": 0.04,
    "feed": 0.05,
}
# Feeds: the site's RSS and Atom, and an author's or a tag's (by way of an article, as above).
FEEDS = {"site": 0.6, "author": 0.2, "tag": 0.2}


@dataclass(frozen=True)
class Article:
    path: str
    author_slug: str | None
    tag_slugs: tuple


def zipf_weights(count, exponent):
    """Cumulative weights of ranks 1..count, rank r having weight r^-exponent."""
    return list(itertools.accumulate(rank**-exponent for rank in range(1, count + 1)))


class ReaderStream:
    """`next()`: (kind, path) of the next request. `articles` in popularity order (most read first);
    `list_pages`: the list's page addresses, first page first."""

    def __init__(self, articles, list_pages, *, exponent, seed):
        self.articles = articles
        self.list_pages = list_pages
        self.rng = random.Random(f"{seed}:readers")
        self._article_weights = zipf_weights(len(articles), exponent)
        self._page_weights = zipf_weights(len(list_pages) - 1, exponent)
        self._kinds, self._kind_weights = list(KINDS), list(itertools.accumulate(KINDS.values()))
        self._feeds, self._feed_weights = list(FEEDS), list(itertools.accumulate(FEEDS.values()))

    def article(self):
        return self.rng.choices(self.articles, cum_weights=self._article_weights)[0]

    def _with(self, attribute):
        while True:  # an article with an author (or tags): 98% of them
            article = self.article()
            if getattr(article, attribute):
                return article

    def next(self):
        kind = self.rng.choices(self._kinds, cum_weights=self._kind_weights)[0]
        if kind == "article":
            return kind, self.article().path
        if kind == "list, first page":
            return kind, self.list_pages[0]
        if kind == "list, deeper page":
            return kind, self.rng.choices(self.list_pages[1:], cum_weights=self._page_weights)[0]
        if kind == "author page":
            return kind, f"/blog/author/{self._with('author_slug').author_slug}"
        if kind == "tag page":
            return kind, f"/blog/tag/{self.rng.choice(self._with('tag_slugs').tag_slugs)}"
        feed = self.rng.choices(self._feeds, cum_weights=self._feed_weights)[0]
        name = self.rng.choice(("feed.xml", "atom.xml"))
        if feed == "site":
            return kind, f"/blog/{name}"
        if feed == "author":
            return kind, f"/blog/author/{self._with('author_slug').author_slug}/{name}"
        return kind, f"/blog/tag/{self.rng.choice(self._with('tag_slugs').tag_slugs)}/{name}"
