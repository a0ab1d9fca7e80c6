"""warm_page_cache: every page the sitemap lists, and every author's and tag's page and feeds and the
site's feeds (which it does not list), is requested once, so that readers' first requests are hits;
with --jobs N, by N processes (each its own database connection) into a cache they share; a page that
does not answer 200 is named and fails the run, and a sitemap that cannot be read is an error that
says so."""

import os
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Author, Status
from articles.page_cache import pages
from articles.page_cache.warming import warm
from cms.settings import cache_settings

from .factories import make_article, tag

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


def _site():
    """Three public articles, two with an author and tags; a draft with an author and a tag of its own
    (their pages answer 404: not warmed). Every address the warmer must request, by kind."""
    ada = Author.objects.create(name="Ada", slug="ada")
    hidden = Author.objects.create(name="Hidden", slug="hidden")
    tag(make_article(slug="a", author=ada), "python", "web")
    tag(make_article(slug="b", author=ada), "python")
    make_article(slug="c")
    tag(make_article(slug="d", author=hidden, status=Status.DRAFT), "secret")
    return {
        "sitemap": ["/blog/", "/blog/a", "/blog/b", "/blog/c"],
        "site feeds": ["/blog/feed.xml", "/blog/atom.xml", "/blog/feed.json"],
        "author pages and feeds": [
            "/blog/author/ada",
            "/blog/author/ada/feed.xml",
            "/blog/author/ada/atom.xml",
        ],
        "tag pages and feeds": [
            f"/blog/tag/{slug}{tail}" for slug in ("python", "web") for tail in ("", "/feed.xml", "/atom.xml")
        ],
    }


def _uncached(client, expected):
    """The addresses, by kind, that a reader's request would render (queries) rather than find cached."""
    missed = {}
    for kind, urls in expected.items():
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, headers=BEHIND_TLS).status_code == 200, url
            if queries:
                missed.setdefault(kind, []).append(url)
    return missed


def test_every_page_readers_reach_is_a_hit_afterwards(client, db, in_test_transaction):
    expected = _site()
    output = _warm("--jobs", "1")
    assert output.startswith("Warmed 16 pages from 3 sitemap documents"), output
    assert _uncached(client, expected) == {}


def test_sitemap_only_leaves_the_author_and_tag_pages_and_feeds(client, db, in_test_transaction):
    expected = _site()
    assert _warm("--jobs", "1", "--sitemap-only").startswith("Warmed 4 pages")
    assert set(_uncached(client, expected)) == {"site feeds", "author pages and feeds", "tag pages and feeds"}


@pytest.fixture
def shared_file_cache(settings, tmp_path):
    """A cache that other processes see (files), as a deployment's is; the test's own memory is not."""
    settings.CACHES = cache_settings(f"filecache://{tmp_path}/cache")
    pages._recent.clear()
    yield
    pages._recent.clear()


@pytest.mark.django_db(transaction=True)
def test_jobs_render_in_that_many_processes_into_the_shared_cache(
    client, tmp_path, shared_file_cache, wsgi_requests_keep_the_test_connection, monkeypatch
):
    # Committed rows (a transactional test): each process reads them on a connection of its own.
    Site.objects.filter(pk=settings.SITE_ID).update(domain="testserver")
    Site.objects.clear_cache()
    expected = _site()
    renders = tmp_path / "renders"
    store = pages.store

    def noted(*args):
        with renders.open("a") as out:  # appended by whichever process stored the page
            out.write(f"{os.getpid()}\n")
        return store(*args)

    monkeypatch.setattr(pages, "store", noted)
    try:
        assert _warm("--jobs", "2").startswith("Warmed 16 pages")
        pids = renders.read_text().split()
        # The sitemap's documents are read here; the 16 pages by two other processes.
        assert len(set(pids) - {str(os.getpid())}) == 2, pids
        monkeypatch.setattr(pages, "store", store)
        pages._recent.clear()  # found in the files, not in what this process rendered itself
        assert _uncached(client, expected) == {}
    finally:
        Site.objects.clear_cache()


def test_jobs_fall_back_to_one_process_when_the_cache_is_local_memory(settings, db, in_test_transaction):
    settings.CACHES = cache_settings("locmemcache://")  # whatever CACHE_URL the suite runs with
    _site()
    err = StringIO()
    out = StringIO()
    call_command("warm_page_cache", "--jobs", "2", stdout=out, stderr=err)
    assert "warming in one process" in err.getvalue()
    assert out.getvalue().startswith("Warmed 16 pages")


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
