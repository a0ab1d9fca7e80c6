"""The sitemap as crawlers read it: an index at /sitemap.xml pointing at documents of at most
50,000 URLs each (the protocol's limit): /sitemap-pages.xml (the list page) and one
/sitemap-articles-<n>.xml per range of SECTION_SIZE article ids, listing the public articles of that
range with their real modified date (`updated`). Addresses use the Site's domain, as feeds do.

Documents hold ranges of ids, not ranges of positions in a list: an article stays in its document
whatever else is published or deleted, so its change makes stale its own document (surrogate key
`sitemap-articles-<n>`, publishing/affected.py) and the index (`sitemap`), never the others; and a
document is one range scan of the primary key. They are written as strings, not through
django.contrib.sitemaps' templates, which took 6 s for 50,000 URLs (bench/README.md)."""

from urllib.parse import quote
from xml.sax.saxutils import escape

from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from . import surrogate_keys
from .models import Article

SECTION_SIZE = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# A slug that stands for every article's in the address reversed once per document.
_ANY_SLUG = "sitemap-slug"


def section_of(pk):
    """The number of the articles' document that lists article `pk`."""
    return (pk - 1) // SECTION_SIZE + 1


def index(request):
    surrogate_keys.add(request, surrogate_keys.SITEMAP)
    last = Article.objects.aggregate(last=Max("pk"))["last"]
    documents = [reverse("sitemap-pages")]
    if last is not None:
        documents += [reverse("sitemap-articles", args=[number]) for number in range(1, section_of(last) + 1)]
    site = _site(request)
    entries = "".join(f"<sitemap><loc>{escape(site + path)}</loc></sitemap>" for path in documents)
    return _xml(f'<sitemapindex xmlns="{NAMESPACE}">{entries}</sitemapindex>')


def pages(request):
    """The pages that are not articles."""
    surrogate_keys.add(request, surrogate_keys.SITEMAP)
    location = escape(_site(request) + reverse("articles:list"))
    return _xml(
        f'<urlset xmlns="{NAMESPACE}"><url><loc>{location}</loc><changefreq>daily</changefreq></url></urlset>'
    )


def articles(request, number):
    """The public articles whose ids are in document `number`'s range, in id order."""
    last = Article.objects.aggregate(last=Max("pk"))["last"]
    if number < 1 or last is None or number > section_of(last):
        raise Http404("No such sitemap document.")
    surrogate_keys.add(request, surrogate_keys.sitemap_section(number))
    rows = (
        Article.objects.published()
        .filter(pk__gt=(number - 1) * SECTION_SIZE, pk__lte=number * SECTION_SIZE)
        .order_by("pk")
        .values_list("slug", "updated")
    )
    # The address of any article, reversed once: reverse() per article was most of the time.
    before, after = (_site(request) + reverse("articles:detail", kwargs={"slug": _ANY_SLUG})).split(_ANY_SLUG)
    zone = timezone.get_current_timezone()  # once: timezone.localtime() looks it up every call
    entries = "".join(
        f"<url><loc>{escape(before + _quoted(slug) + after)}</loc>"
        f"<lastmod>{updated.astimezone(zone).date().isoformat()}</lastmod>"
        "<changefreq>weekly</changefreq></url>"
        for slug, updated in rows.iterator(chunk_size=2000)
    )
    return _xml(f'<urlset xmlns="{NAMESPACE}">{entries}</urlset>')


def _site(request):
    """Where addresses start: the request's scheme and the Site's domain (SITE_DOMAIN), as in feeds
    and as django.contrib.sitemaps writes them."""
    return f"{request.scheme}://{get_current_site(request).domain}"


def _quoted(slug):
    """The slug as reverse() writes it in a path (a Unicode slug percent-encoded)."""
    return quote(slug, safe=RFC3986_SUBDELIMS + "/~:@")


def _xml(document):
    response = HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{document}\n', content_type="application/xml"
    )
    # As django.contrib.sitemaps answers: the documents are for crawlers, not for search results.
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
