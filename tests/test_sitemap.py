"""What crawlers read: /sitemap.xml is an index of documents of at most SECTION_SIZE URLs (1,000; the
protocol allows 50,000), one per range of article ids, listing the public articles with their real
modified date; an article's change makes stale its own document and the index, never the others;
robots.txt points at the index."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import sitemaps
from articles.models import Status

from .factories import make_article

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The site's own, read before conftest's _one_sitemap_document makes it larger for each test.
SITE_SECTION_SIZE = sitemaps.SECTION_SIZE


@pytest.fixture
def site(db):
    """Where the sitemap's addresses start: the Site's domain (SITE_DOMAIN), as in feeds."""
    return f"http://{Site.objects.get_current().domain}"


def _locations(client, path, element):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    return [entry.findtext(f"{NS}loc") for entry in root.iter(f"{NS}{element}")]


def _entries(client, path):
    """{loc: lastmod} of a document of URLs."""
    root = ElementTree.fromstring(client.get(path).content)
    return {u.findtext(f"{NS}loc"): u.findtext(f"{NS}lastmod") for u in root.iter(f"{NS}url")}


def test_a_document_holds_a_thousand_article_ids(monkeypatch):
    """Not the protocol's 50,000: a document then costs the same at 100,000 articles as at 1,000."""
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", SITE_SECTION_SIZE)
    assert [sitemaps.section_of(pk) for pk in (1, 1_000, 1_001, 100_000)] == [1, 1, 2, 100]


def test_the_index_points_at_a_document_per_range_of_ids(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 2)
    articles = [make_article(slug=f"a{number}") for number in range(5)]
    documents = _locations(client, "/sitemap.xml", "sitemap")
    last = sitemaps.section_of(articles[-1].pk)
    assert documents == [
        f"{site}/sitemap-pages.xml",
        *(f"{site}/sitemap-articles-{number}.xml" for number in range(1, last + 1)),
    ]
    listed = {}
    for document in documents[1:]:
        entries = _entries(client, document.removeprefix(site))
        assert len(entries) <= 2
        listed.update(entries)
    assert set(listed) == {f"{site}{article.get_absolute_url()}" for article in articles}
    assert _locations(client, "/sitemap-pages.xml", "url") == [f"{site}/blog/"]


def test_a_document_lists_public_articles_with_updated_as_lastmod(client, site):
    updated = timezone.now() - timedelta(days=1)
    article = make_article(updated=updated)
    make_article(slug="draft", status=Status.DRAFT)
    make_article(slug="later", published=timezone.now() + timedelta(days=1))
    make_article(slug="gone", expires=timezone.now() - timedelta(minutes=1))
    entries = _entries(client, f"/sitemap-articles-{sitemaps.section_of(article.pk)}.xml")
    assert entries == {f"{site}{article.get_absolute_url()}": updated.date().isoformat()}


def test_an_address_is_written_as_the_article_page_answers_to_it(client, site):
    article = make_article(slug="中文-长恨歌")
    (location,) = _entries(client, f"/sitemap-articles-{sitemaps.section_of(article.pk)}.xml")
    assert location == f"{site}{article.get_absolute_url()}"
    assert "%E4%B8%AD" in location
    assert client.get(location.removeprefix(site)).status_code == 200


@pytest.mark.parametrize("number", [0, 2])
def test_a_document_past_the_last_id_is_not_found(client, db, number):
    make_article()
    assert client.get(f"/sitemap-articles-{number}.xml").status_code == 404


def test_documents_are_for_crawlers_not_for_search_results(client, db):
    make_article()
    for path in ("/sitemap.xml", "/sitemap-pages.xml", "/sitemap-articles-1.xml"):
        assert client.get(path)["X-Robots-Tag"] == "noindex, noodp, noarchive", path


def _served_from_cache(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return not queries


def test_a_change_makes_stale_its_own_document_and_the_index_only(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 2)
    articles = [make_article(slug=f"a{number}") for number in range(6)]
    documents = [f"/sitemap-articles-{sitemaps.section_of(article.pk)}.xml" for article in articles]
    paths = ["/sitemap.xml", "/sitemap-pages.xml", *dict.fromkeys(documents)]
    for path in paths:
        client.get(path)
    assert all(_served_from_cache(client, path) for path in paths)
    articles[0].title = "Retitled"
    articles[0].save()
    assert not _served_from_cache(client, documents[0])
    assert not _served_from_cache(client, "/sitemap.xml")
    for path in paths[1:]:
        if path != documents[0]:
            assert _served_from_cache(client, path), path


def test_a_document_costs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    for number in range(30):
        make_article(
            slug=f"a{number}", translation_key=f"set-{number % 10}", locale=["en", "fr", "de"][number // 10]
        )
    client.get("/sitemap-pages.xml")  # the schedule worked out once
    with django_assert_num_queries(3):  # the last id, the range, the translation sets in it
        client.get("/sitemap-articles-1.xml?first")
    with django_assert_num_queries(1):  # the last id
        client.get("/sitemap.xml?first")


def test_robots_txt_points_at_the_index(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()


def test_translations_are_alternates_of_each_other_in_the_sitemap(client, db):
    """Google's hreflang in sitemaps: every version of a set lists the set's every version, itself
    included, and x-default; an article in no set lists none; drafts are not versions."""
    import xml.etree.ElementTree as ET

    make_article(slug="hello", translation_key="greeting")
    make_article(slug="bonjour", translation_key="greeting", locale="fr")
    make_article(slug="hallo", translation_key="greeting", locale="de", status="draft")
    make_article(slug="alone")
    root = ET.fromstring(client.get("/sitemap-articles-1.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    alternates = {
        url.find("s:loc", ns).text.rsplit("/", 1)[1]: [
            (link.get("hreflang"), link.get("href").rsplit("/", 1)[1]) for link in url.findall("x:link", ns)
        ]
        for url in root.findall("s:url", ns)
    }
    expected = [("en", "hello"), ("fr", "bonjour"), ("x-default", "hello")]
    assert alternates == {"hello": expected, "bonjour": expected, "alone": []}


def test_a_document_with_alternates_keeps_to_the_sitemap_schema(client, db):
    """What sitemaps.org's sitemap.xsd asks of each <url> (loc first, then lastmod, changefreq and
    priority, in that order, then elements of other namespaces only; loc absolute and at most 2,048
    characters; lastmod a W3C date; changefreq one of its words), and what Google asks of an
    xhtml:link alternate (rel="alternate", a valid hreflang or x-default, an absolute href, the
    namespace declared). Checked element by element: the XSD itself is not in this repository."""
    import re
    import xml.etree.ElementTree as ET

    make_article(slug="hello", translation_key="greeting")
    make_article(slug="bonjour", translation_key="greeting", locale="fr")
    make_article(slug="ola", translation_key="greeting", locale="pt-BR")
    make_article(slug="alone")
    body = client.get("/sitemap-articles-1.xml").content
    assert b'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in body
    sitemap, xhtml = "{http://www.sitemaps.org/schemas/sitemap/0.9}", "{http://www.w3.org/1999/xhtml}"
    root = ET.fromstring(body)
    assert root.tag == f"{sitemap}urlset"
    order = [f"{sitemap}{name}" for name in ("loc", "lastmod", "changefreq", "priority")]
    alternates = 0
    for url in root:
        assert url.tag == f"{sitemap}url"
        own = [child.tag for child in url if child.tag.startswith(sitemap)]
        assert own[0] == order[0] and own == sorted(own, key=order.index)  # loc first, then in order
        children = list(url)
        assert all(not child.tag.startswith(sitemap) for child in children[len(own) :])  # others after
        assert re.fullmatch(r"https?://\S{1,2040}", url.find(f"{sitemap}loc").text)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", url.find(f"{sitemap}lastmod").text)
        assert url.find(f"{sitemap}changefreq").text in {
            "always",
            "hourly",
            "daily",
            "weekly",
            "monthly",
            "yearly",
            "never",
        }
        for link in url.findall(f"{xhtml}link"):
            alternates += 1
            assert link.get("rel") == "alternate"
            assert re.fullmatch(
                r"x-default|[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-\d{3})?", link.get("hreflang")
            )
            assert re.fullmatch(r"https?://\S+", link.get("href"))
    assert alternates == 3 * 4  # three versions, each listing three and x-default


def test_a_document_reads_its_range_from_one_covering_index(client, db, monkeypatch):
    """Issue 11: a document of 50,000 URLs in under 1 s. Its range is read from article_sitemap_idx
    alone (read from the table, each row's columns sit behind its body on SQLite), the translation
    sets from article_translation_idx, and nothing is sorted, scanned whole or skipped by OFFSET.
    With the site's own ranges: over a billion ids PostgreSQL's planner rightly prefers the pkey."""
    from .query_plans import plans_of

    monkeypatch.setattr(sitemaps, "SECTION_SIZE", SITE_SECTION_SIZE)
    make_article(slug="hello", translation_key="greeting")
    make_article(slug="bonjour", translation_key="greeting", locale="fr")
    number = sitemaps.section_of(make_article(slug="alone").pk)
    request = RequestFactory().get(f"/sitemap-articles-{number}.xml")
    plans = plans_of(lambda: sitemaps.articles(request, number), in_order=True)
    document, sets = plans[-1], plans[-2]
    assert "article_sitemap_idx" in document, document
    assert "article_translation_idx" in sets, sets
    if connection.vendor == "sqlite":
        # PostgreSQL may seek the section's keys in article_translation_idx too, for a few test
        # rows: an index all the same (scans and sorts are refused below); SQLite's choice is pinned.
        assert "COVERING INDEX article_sitemap_idx" in document, document
        assert "COVERING INDEX article_sitemap_idx" in sets, sets
    for found in plans:
        assert "TEMP B-TREE" not in found and "OFFSET" not in found.upper(), found
        assert "Seq Scan on articles_article " not in found and " Sort " not in f" {found} ", found


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Paris", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Apia"]
)
def test_lastmod_is_the_local_date_of_updated_worked_out_per_day(zone):
    """LocalDates gives what converting each value gives, across a change of offset (DST, Apia's
    skipped day in 2011) and the moments around each local midnight, for naive UTC values (SQLite)
    and aware ones (PostgreSQL)."""
    from zoneinfo import ZoneInfo

    local = ZoneInfo(zone)
    dates = sitemaps.LocalDates(local)
    start = datetime(2011, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=17 * step) for step in range(2 * 365 * 24 * 60 // 17)]
    for midnight in {
        m.astimezone(local).replace(hour=0, minute=0, second=0, microsecond=0) for m in moments[::97]
    }:
        edge = midnight.astimezone(UTC)
        moments += [edge - timedelta(microseconds=1), edge, edge + timedelta(microseconds=1)]
    for moment in moments:
        expected = moment.astimezone(local).date().isoformat()
        assert dates(moment.replace(tzinfo=None)) == expected, moment
        assert dates(moment) == expected, moment


def test_a_document_writes_lastmod_in_the_sites_time_zone(client, site, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: its dates turn at 10:00 UTC
    after_midnight = make_article(slug="after", updated=datetime(2024, 3, 4, 10, 0, tzinfo=UTC))
    before_midnight = make_article(slug="before", updated=datetime(2024, 3, 4, 9, 59, 59, tzinfo=UTC))
    entries = _entries(client, f"/sitemap-articles-{sitemaps.section_of(after_midnight.pk)}.xml")
    assert entries[f"{site}{after_midnight.get_absolute_url()}"] == "2024-03-05"
    assert entries[f"{site}{before_midnight.get_absolute_url()}"] == "2024-03-04"
