"""The surrogate keys a public page names (publishing/changes.py has the table of what each means).

A view names the keys of everything it shows with `add(request, ...)`; page_cache stores the page
under them and sends them to the edge (`xkey`, `Cache-Tag`). A Change lists the keys it makes stale,
spelled by the same functions, so that purging them refreshes exactly the pages that show it."""

from publishing.changes import SITE_KEY

LIST = "list"
FEED = "feed"
SITEMAP = "sitemap"
SEARCH = "search"


def article(pk):
    return f"article-{pk}"


def neighbour(pk):
    return f"neighbour-{pk}"


def author(pk):
    return f"author-{pk}"


def tag(pk):
    return f"tag-{pk}"


def sitemap_section(number):
    """The sitemap's document `number` of articles (articles/sitemaps.py); `sitemap` is the index."""
    return f"sitemap-articles-{number}"


def add(request, *keys):
    """Name keys of what this response shows (None is skipped: an article with no neighbour)."""
    named = request.__dict__.setdefault("surrogate_keys", set())
    named.update(key for key in keys if key is not None)


def of(request):
    """The keys this response is stored and purged under: `site` and the ones its view named, or
    none at all when the view named none (a page that does not say what it shows is not cached)."""
    named = getattr(request, "surrogate_keys", set())
    return frozenset({SITE_KEY, *named}) if named else frozenset()


# The Content API's resources (content_api/): its article lists, each article, the author and tag
# lists and each author and tag (their counts of public articles). publishing/affected.py names
# them for a change exactly as it names the pages.
API_ARTICLES = "api-articles"
API_AUTHORS = "api-authors"
API_TAGS = "api-tags"


def api_article(pk):
    return f"api-article-{pk}"


def api_author(pk):
    return f"api-author-{pk}"


def api_tag(pk):
    return f"api-tag-{pk}"
