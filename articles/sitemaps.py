"""The sitemap as crawlers read it: an index at /sitemap.xml pointing at documents of at most
SECTION_SIZE (1,000) URLs each: /sitemap-pages.xml (the list page) and one
/sitemap-articles-<n>.xml per range of SECTION_SIZE article ids, listing the public articles of that
range with their real modified date (`updated`), and an article with translations its set's every
version as `xhtml:link` alternates. Addresses use the Site's domain, as feeds do.

Documents hold ranges of ids, not ranges of positions in a list: an article stays in its document
whatever else is published or deleted, so its change makes stale its own document (surrogate key
`sitemap-articles-<n>`, publishing/affected.py) and the index (`sitemap`), never the others; and a
document is one range scan of ids in one index. They are written as strings, not through
django.contrib.sitemaps' templates, which took 6 s for 50,000 URLs (bench/README.md).

Why 1,000 and not the protocol's limit of 50,000 (Django's default): a document then costs the
same at 100,000 articles as at 1,000 (issue 11: every sitemap document within 1.5x of a 1,000-article
site's and under 50 ms on PostgreSQL; a 46,000-URL document took 80-340 ms), an article's change
makes stale a document that is quick to render again, and a crawler fetches a changed document of
150 KB, not 7 MB. Yoast's sitemaps hold 1,000 URLs, WordPress's 2,000; an index holds 50,000
documents, so 50 million article ids.

A document is three queries and a loop over plain values, fast enough at 50,000 URLs (issue 11:
under 1 s) should SECTION_SIZE go back to the protocol's limit: the range is read from one covering
index (`article_sitemap_idx`), not row by row from a table where the columns sit behind each body;
its rows come as the driver gives them, without the ORM's per-value converters; an address is the
slug between one reversed prefix and suffix, quoted only when it is not plain ASCII; and lastmod's
local date is worked out in SQL on PostgreSQL, and on SQLite once per UTC day (`LocalDates`).
bench/sitemap_section.py times it against an earlier commit."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.contrib.sites.shortcuts import get_current_site
from django.db import connections
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from . import surrogate_keys
from .models import Article
from .translations import default_version, in_language_order, site_language

SECTION_SIZE = 1_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Translations as alternates (Google's hreflang in sitemaps).
XHTML = "http://www.w3.org/1999/xhtml"
# A slug that stands for every article's in the address reversed once per document.
_ANY_SLUG = "sitemap-slug"
# The same for a document's number in the index.
_ANY_NUMBER = 918273645


def section_of(pk):
    """The number of the articles' document that lists article `pk`."""
    return (pk - 1) // SECTION_SIZE + 1


def index(request):
    surrogate_keys.add(request, surrogate_keys.SITEMAP)
    last = Article.objects.aggregate(last=Max("pk"))["last"]
    documents = [reverse("sitemap-pages")]
    if last is not None:
        # One reverse() for every document's address (a hundred at 100,000 articles took 2.5 ms).
        before, after = reverse("sitemap-articles", args=[_ANY_NUMBER]).split(str(_ANY_NUMBER))
        documents += [f"{before}{number}{after}" for number in range(1, section_of(last) + 1)]
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
    rows = in_section.order_by("pk")
    if connections[rows.db].vendor == "postgresql":
        # The local date worked out in SQL (AT TIME ZONE), loaded by psycopg in C: Django's loader
        # made each `updated` a datetime in Python, half of what was left of a document.
        rows, lastmod = rows.values_list("slug", TruncDate("updated"), "translation_key"), date.isoformat
    else:
        rows = rows.values_list("slug", "updated", "translation_key")
        lastmod = LocalDates(timezone.get_current_timezone())
    location = _Locations(_site(request) + reverse("articles:detail", kwargs={"slug": _ANY_SLUG}))
    sets = _translation_sets(in_section, location)
    entries = "".join(
        f"<url><loc>{location(slug)}</loc><lastmod>{lastmod(updated)}</lastmod>"
        f"<changefreq>weekly</changefreq>{sets.get(key, '')}</url>"
        for slug, updated, key in _driver_rows(rows)
    )
    return _xml(f'<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">{entries}</urlset>')


def _translation_sets(in_section, location):
    """{translation key: the <xhtml:link> alternates of its set} for the sets with an article in
    the section and more than one public version: one query (the keys by subquery, whatever their
    number), the set's every version with x-default as on the pages (articles/views.py)."""
    # "Has a key" as a range (> ""), not as `exclude("")`: with it SQLite seeks the public articles
    # that have a key in article_translation_idx, instead of walking every public article.
    keys = in_section.filter(translation_key__gt="").values("translation_key")
    versions = {}
    members = Article.objects.published().filter(translation_key__gt="", translation_key__in=keys)
    # Unordered, and put in id order here: a set's few versions, not the whole list of them, sorted.
    for key, pk, slug, locale in members.order_by().values_list("translation_key", "pk", "slug", "locale"):
        versions.setdefault(key, []).append(_Version(pk, slug, locale or site_language()))
    links = {}
    for key, found in versions.items():
        if len(found) < 2:
            continue
        found.sort()
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


class _Locations:
    """The escaped address of an article from its slug, given the address of any article (with
    _ANY_SLUG as its slug): reverse() once per document, not once per article."""

    # A slug reverse() writes as it is: no percent-encoding, nothing to escape in XML.
    _plain = re.compile(r"[-A-Za-z0-9_]*").fullmatch

    def __init__(self, any_address):
        self.before, self.after = any_address.split(_ANY_SLUG)
        self.escaped_before, self.escaped_after = escape(self.before), escape(self.after)

    def __call__(self, slug):
        if self._plain(slug):
            return f"{self.escaped_before}{slug}{self.escaped_after}"
        # A Unicode slug percent-encoded, as reverse() writes it in a path.
        return escape(self.before + quote(slug, safe=RFC3986_SUBDELIMS + "/~:@") + self.after)


class LocalDates:
    """lastmod on SQLite: the date in TIME_ZONE of an article's `updated` as the driver gives it (a
    naive datetime in UTC, as Django stores it there; an aware one is also understood).
    Converting each value was a tenth of a document, so it is worked out once per UTC day: on a
    day when the zone's offset does not change, a value's local date is the local date of the
    day's start until the moment the local date turns, and the next date from then on. The values
    of a day in which the offset changes are converted one by one."""

    def __init__(self, zone):
        self.zone = zone
        self.days = {}

    def __call__(self, value):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        day = value.date()
        try:
            turn = self.days[day]
        except KeyError:
            turn = self.days[day] = self._turn(day)
        if turn is None:
            return value.replace(tzinfo=UTC).astimezone(self.zone).date().isoformat()
        turns_at, before, after = turn
        return before if value < turns_at else after

    def _turn(self, day):
        """(the moment, naive in UTC, at which the local date turns during the UTC day `day` or
        right after it, the local date before it, and after it), or None when the zone's offset
        changes during the day."""
        start = datetime.combine(day, time(), UTC)
        offset = start.astimezone(self.zone).utcoffset()
        if (start + timedelta(days=1, microseconds=-1)).astimezone(self.zone).utcoffset() != offset:
            return None
        before = (start + offset).date()
        after = before + timedelta(days=1)
        turns_at = datetime.combine(after, time()) - offset
        return turns_at, before.isoformat(), after.isoformat()


def _driver_rows(queryset):
    """The queryset's rows as the database driver gives them: the ORM's converters (a datetime made
    and made aware for each `updated`) were a fifth of a document at 50,000 URLs."""
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            yield from chunk


def _xml(document):
    response = HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{document}\n', content_type="application/xml"
    )
    # As django.contrib.sitemaps answers: the documents are for crawlers, not for search results.
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
