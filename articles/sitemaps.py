"""The sitemap as crawlers read it: an index at /sitemap.xml pointing at documents of at most
50,000 URLs each (the protocol's limit): /sitemap-pages.xml (the list page) and one
/sitemap-articles-<n>.xml per range of SECTION_SIZE article ids, listing the public articles of that
range with their real modified date (`updated`), and an article with translations its set's every
version as `xhtml:link` alternates. Addresses use the Site's domain, as feeds do.

Documents hold ranges of ids, not ranges of positions in a list: an article stays in its document
whatever else is published or deleted, so its change makes stale its own document (surrogate key
`sitemap-articles-<n>`, publishing/affected.py) and the index (`sitemap`), never the others; and a
document is one range scan of the primary key. They are written as strings, not through
django.contrib.sitemaps' templates, which took 6 s for 50,000 URLs (bench/README.md)."""

from typing import NamedTuple
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
from .translations import default_version, in_language_order, site_language

SECTION_SIZE = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Translations as alternates (Google's hreflang in sitemaps).
XHTML = "http://www.w3.org/1999/xhtml"
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
    in_section = Article.objects.published().filter(
        pk__gt=(number - 1) * SECTION_SIZE, pk__lte=number * SECTION_SIZE
    )
    rows = in_section.order_by("pk").values_list("slug", "updated", "translation_key")
    # The address of any article, reversed once: reverse() per article was most of the time.
    before, after = (_site(request) + reverse("articles:detail", kwargs={"slug": _ANY_SLUG})).split(_ANY_SLUG)
    sets = _translation_sets(in_section, lambda slug: escape(before + _quoted(slug) + after))
    zone = timezone.get_current_timezone()  # once: timezone.localtime() looks it up every call
    entries = "".join(
        f"<url><loc>{escape(before + _quoted(slug) + after)}</loc>"
        f"<lastmod>{updated.astimezone(zone).date().isoformat()}</lastmod>"
        f"<changefreq>weekly</changefreq>{sets.get(key, '')}</url>"
        for slug, updated, key in rows.iterator(chunk_size=2000)
    )
    return _xml(f'<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">{entries}</urlset>')


def _translation_sets(in_section, location):
    """{translation key: the <xhtml:link> alternates of its set} for the sets with an article in
    the section and more than one public version: one query (the keys by subquery, whatever their
    number), the set's every version with x-default as on the pages (articles/views.py)."""
    keys = in_section.exclude(translation_key="").values("translation_key")
    versions = {}
    members = Article.objects.published().filter(translation_key__in=keys).order_by("pk")
    for key, pk, slug, locale in members.values_list("translation_key", "pk", "slug", "locale"):
        versions.setdefault(key, []).append(_Version(pk, slug, locale or site_language()))
    links = {}
    for key, found in versions.items():
        if len(found) < 2:
            continue
        default = default_version(found)
        links[key] = "".join(
            f'<xhtml:link rel="alternate" hreflang="{escape(version.language)}" href="{location(version.slug)}"/>'
            for version in [*in_language_order(found), _Version(default.pk, default.slug, "x-default")]
        )
    return links


class _Version(NamedTuple):
    pk: int
    slug: str
    language: str


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
