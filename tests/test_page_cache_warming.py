"""warm_page_cache: every page the sitemap lists is requested once, so that readers' first requests
are hits; a page that does not answer 200 is named and fails the run, and a sitemap that cannot be
read is an error that says so."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.page_cache.warming import warm

from .factories import make_article

INDEX = "http://testserver/sitemap.xml"
# Readers come through the TLS terminator (https, and their Host): the warmer defaults to https://.
BEHIND_TLS = {"X-Forwarded-Proto": "https", "Host": "testserver"}
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'


@pytest.fixture
def in_test_transaction(db, wsgi_requests_keep_the_test_connection):
    """The warmer's WSGI requests, like the test client's, must not close the test's connection; and
    the Site's domain is the test client's host, as the sitemap's addresses name it."""
    Site.objects.filter(pk=settings.SITE_ID).update(domain="testserver")
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def _warm(*args):
    """The command's output, the site's address being the default: http:// and the Site's domain."""
    out = StringIO()
    call_command("warm_page_cache", *args, stdout=out)
    return out.getvalue()


def test_every_page_in_the_sitemap_is_a_hit_afterwards(client, db, in_test_transaction):
    for slug in ("a", "b", "c"):
        make_article(slug=slug)
    assert _warm().startswith("Warmed 4 pages from 3 sitemap documents")  # the list and 3 articles
    for url in ("/blog/", "/blog/a", "/blog/b", "/blog/c"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers=BEHIND_TLS).status_code == 200
        assert not queries, url


def test_limit_requests_the_first_pages_only(client, db, in_test_transaction):
    make_article(slug="a")
    assert _warm("--limit", "1").startswith("Warmed 1 pages")


def test_a_sitemap_that_cannot_be_read_is_an_error_naming_it(db, in_test_transaction):
    with pytest.raises(
        CommandError, match=r"^Cannot read the sitemap: http://elsewhere.example/sitemap.xml"
    ) as err:
        call_command("warm_page_cache", "--site-url", "http://elsewhere.example", stdout=StringIO())
    assert err.value.returncode == 2


def test_pages_that_do_not_answer_200_are_reported():
    answers = {
        INDEX: '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>http://testserver/s.xml</loc></sitemap></sitemapindex>",
        "http://testserver/s.xml": URLSET.format(
            "<url><loc>http://testserver/ok</loc></url><url><loc>http://testserver/gone</loc></url>"
        ),
        "http://testserver/ok": "page",
    }
    report = warm(INDEX, lambda url: (200, answers[url].encode()) if url in answers else (404, b""))
    assert (report.documents, report.pages, report.failed) == (2, 2, [("http://testserver/gone", 404)])
