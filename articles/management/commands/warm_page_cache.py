"""manage.py warm_page_cache: every page the sitemap lists, and the author and tag pages and feeds it
does not, requested once (articles/page_cache/warming.py)."""

import os

from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.urls import reverse

from articles.page_cache import serve_hits_first
from articles.page_cache.warming import (
    SitemapError,
    beyond_the_sitemap,
    in_process,
    over_http,
    shares_pages,
    warm,
)


class Command(BaseCommand):
    help = (
        "Requests every page the sitemap lists once, as a reader would, then each author's and tag's "
        "page and feeds and the site's feeds (which it does not list), so that the page cache holds "
        "the long tail before readers ask for it: run it after a deploy or a cache flush. Pages "
        "already cached are hits. In this process by default (the cache in CACHE_URL); with --origin, "
        "through a running site (Varnish, which then keeps the pages too, or gunicorn)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--origin",
            help="Request the pages over HTTP from this address (http://127.0.0.1:8080), with the "
            "site's host and scheme in the headers, instead of in this process.",
        )
        parser.add_argument(
            "--site-url",
            help="The site's address as readers use it (default: https:// and the Site's domain, "
            "SITE_DOMAIN). The sitemap is read at its /sitemap.xml.",
        )
        parser.add_argument("--workers", type=int, default=1, help="Requests at a time (default 1).")
        parser.add_argument(
            "--jobs",
            type=int,
            help="Processes rendering pages, each with a database connection of its own (default: "
            "one a core, os.cpu_count(); 1 when the cache is local memory, which other processes "
            "cannot fill).",
        )
        parser.add_argument("--limit", type=int, help="Request at most this many pages.")
        parser.add_argument(
            "--sitemap-only",
            action="store_true",
            help="Only the pages the sitemap lists (not the author and tag pages and the feeds).",
        )

    def handle(self, *args, origin, site_url, workers, jobs, limit, sitemap_only, verbosity, **options):
        site_url = (site_url or f"https://{Site.objects.get_current().domain}").rstrip("/")
        fetch = over_http(origin) if origin else in_process(serve_hits_first(get_wsgi_application()))
        if jobs is None:
            jobs = (os.cpu_count() or 1) if origin or shares_pages() else 1
        elif jobs > 1 and not origin and not shares_pages():
            self.stderr.write("The cache is this process's memory: warming in one process (--jobs 1).")
            jobs = 1
        beyond = () if sitemap_only else beyond_the_sitemap(site_url)

        def progress(report):
            if verbosity >= 2:
                self.stdout.write(f"{report.pages:,} pages in {report.seconds:.0f} s")

        try:
            report = warm(
                site_url + reverse("sitemap"),
                fetch,
                workers=workers,
                jobs=max(jobs, 1),
                beyond=beyond,
                limit=limit,
                progress=progress,
            )
        except (SitemapError, OSError) as exc:
            raise CommandError(f"Cannot read the sitemap: {exc}", returncode=2) from exc
        for url, status in report.failed:
            self.stdout.write(self.style.ERROR(f"failed {url} {status}"))
        self.stdout.write(report.summary_line())
        if report.failed:
            raise CommandError(f"{len(report.failed)} page(s) did not answer 200.", returncode=1)
