"""Warming the page cache: every page the sitemap lists, requested once as a reader's GET, so that
the long tail is cached before readers ask for it (what a production cache warmer does after a
deploy or a flush). Under a Zipf load most misses are first requests of pages read rarely
(bench/README.md, "make bench-cache"): no lifetime or size of cache helps those, only having
rendered them already.

The sitemap's index, then each of its documents, then each address they list, fetched by a
`fetch(url) -> (status, body)`: `in_process()` through this process's WSGI application (the page
cache answers or stores, as for a reader), or `over_http(origin)` through a running site (gunicorn,
or Varnish, which then keeps the pages too). Pages the cache holds already are hits, so warming a
warm cache costs little. Returns a WarmReport; never prints.
"""

import io
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings

SITEMAP_NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class WarmReport:
    documents: int = 0  # sitemap documents read (the index included)
    pages: int = 0  # pages requested
    failed: list = field(default_factory=list)  # (url, status or error) of answers other than 200
    seconds: float = 0.0

    def summary_line(self):
        return (
            f"Warmed {self.pages - len(self.failed):,} pages from {self.documents} sitemap documents"
            f" in {self.seconds:.0f} s; {len(self.failed)} failed."
        )


class SitemapError(Exception):
    """A sitemap document that could not be read. str(exc) names it and what was wrong."""


def warm(index_url, fetch, *, workers=1, limit=None, progress=None):
    """Request every page the sitemap at `index_url` lists (the first `limit` of them), `workers` at
    a time; `progress(report)` is called every 1,000 pages."""
    report = WarmReport()
    started = time.perf_counter()
    urls = _listed(index_url, fetch, report)
    if limit is not None:
        urls = urls[:limit]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # One worker: in this thread, with its database connection (in process, the pages render here).
        answers = (
            map(_fetch_or_error(fetch), urls) if workers == 1 else pool.map(_fetch_or_error(fetch), urls)
        )
        for url, (status, _) in zip(urls, answers, strict=True):
            report.pages += 1
            if status != 200:
                report.failed.append((url, status))
            if progress is not None and report.pages % 1000 == 0:
                report.seconds = time.perf_counter() - started
                progress(report)
    report.seconds = time.perf_counter() - started
    return report


def _listed(index_url, fetch, report):
    """The pages' addresses: each document of the index, in its order, then each of their <loc>s."""
    pages = []
    for document in _locations(index_url, fetch, "sitemap"):
        pages += _locations(document, fetch, "url")
        report.documents += 1
    report.documents += 1
    return pages


def _locations(url, fetch, element):
    status, body = fetch(url)
    if status != 200:
        raise SitemapError(f"{url} answered {status}, not 200.")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise SitemapError(f"{url} is not XML: {exc}") from exc
    return [loc.text.strip() for loc in root.findall(f"{SITEMAP_NAMESPACE}{element}/{SITEMAP_NAMESPACE}loc")]


def _fetch_or_error(fetch):
    def fetched(url):
        try:
            return fetch(url)
        except OSError as exc:
            return f"failed: {exc}", b""

    return fetched


def in_process(application):
    """fetch() through a WSGI application in this process, as a reader's GET of the address (its
    host and scheme included: the page cache keys pages by address)."""

    def fetch(url):
        parts = urlsplit(url)
        host, _, port = parts.netloc.partition(":")
        environ = {
            "REQUEST_METHOD": "GET",
            # WSGI passes the path decoded, its bytes as latin-1 (PEP 3333).
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("iso-8859-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": port or ("443" if parts.scheme == "https" else "80"),
            "HTTP_HOST": parts.netloc,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": parts.scheme,
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        # The scheme as a TLS terminator reports it, where the site trusts that header.
        if settings.SECURE_PROXY_SSL_HEADER:
            name, secure = settings.SECURE_PROXY_SSL_HEADER
            environ[name] = secure if parts.scheme == "https" else "http"
        answered = []
        body = application(environ, lambda status, headers, exc_info=None: answered.append(status))
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        return int(answered[0].split()[0]), content

    return fetch


def over_http(origin, *, timeout=30.0):
    """fetch() through a running site at `origin` (http://127.0.0.1:8080: Varnish, or gunicorn),
    each address's host and scheme sent as the TLS terminator in front of it would send them."""
    origin = origin.rstrip("/")

    def fetch(url):
        parts = urlsplit(url)
        target = f"{origin}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        request = urllib.request.Request(
            target, headers={"Host": parts.netloc, "X-Forwarded-Proto": parts.scheme}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    return fetch
