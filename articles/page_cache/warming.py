"""Warming the page cache: every page the sitemap lists, and the pages readers reach from them that
it does not list (`beyond_the_sitemap()`: each author's and tag's page and feeds, the site's feeds),
requested once as a reader's GET, so that the long tail is cached before readers ask for it (what a
production cache warmer does after a deploy or a flush). Under a Zipf load most misses are first
requests of pages read rarely (bench/README.md, "make bench-cache"): no lifetime or size of cache
helps those, only having rendered them already.

The sitemap's index, then each of its documents, then each address they list, fetched by a
`fetch(url) -> (status, body)`: `in_process()` through this process's WSGI application (the page
cache answers or stores, as for a reader), or `over_http(origin)` through a running site (gunicorn,
or Varnish, which then keeps the pages too). Pages the cache holds already are hits, so warming a
warm cache costs little. Returns a WarmReport; never prints.

Rendering is CPU-bound Python: threads (`workers`) only help over HTTP, where the site renders.
`jobs` > 1 forks that many processes, each fetching its share of the pages with a database
connection of its own (what it inherited is set aside, never used or closed: closing it would end
the parent's session too), so a warm-up in process can use every core. The pages they store must
go to a cache the processes share (Redis, files): `shares_pages()` says whether it does.
"""

import io
import multiprocessing
import queue
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.urls import reverse

SITEMAP_NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class WarmReport:
    documents: int = 0  # sitemap documents read (the index included)
    pages: int = 0  # pages requested
    failed: list = field(default_factory=list)  # (url, status or error) of answers other than 200
    seconds: float = 0.0
    urls: list = field(default_factory=list)  # every address requested, in order

    def summary_line(self):
        return (
            f"Warmed {self.pages - len(self.failed):,} pages from {self.documents} sitemap documents"
            f" in {self.seconds:.0f} s; {len(self.failed)} failed."
        )


class SitemapError(Exception):
    """A sitemap document that could not be read. str(exc) names it and what was wrong."""


def warm(index_url, fetch, *, workers=1, jobs=1, beyond=(), limit=None, progress=None):
    """Request every page the sitemap at `index_url` lists, then the addresses in `beyond` (the first
    `limit` of them all), `workers` at a time in each of `jobs` processes; `progress(report)` is
    called every 1,000 pages."""
    report = WarmReport()
    started = time.perf_counter()
    urls = _listed(index_url, fetch, report) + list(beyond)
    if limit is not None:
        urls = urls[:limit]
    report.urls = urls
    for url, status in _answers(urls, fetch, workers, jobs):
        report.pages += 1
        if status != 200:
            report.failed.append((url, status))
        if progress is not None and report.pages % 1000 == 0:
            report.seconds = time.perf_counter() - started
            progress(report)
    report.seconds = time.perf_counter() - started
    return report


def beyond_the_sitemap(site_url):
    """The addresses of the pages readers reach that the sitemap does not list: the site's feeds, and
    each author's and each tag's page and feeds, for those with a public article (the others answer
    404). After a sitemap-only warm-up these were the readers' misses (bench/README.md)."""
    from articles.models import Article, Author, Tag
    from articles.tag_links import TagLink

    def address(name, **kwargs):
        return site_url + reverse(f"articles:{name}", kwargs=kwargs or None)

    urls = [address(name) for name in ("feed", "atom", "json-feed")]
    authors = Author.objects.filter(pk__in=Article.objects.published().values("author_id"))
    for slug in authors.order_by("pk").values_list("slug", flat=True).iterator(chunk_size=2000):
        urls += [address(name, slug=slug) for name in ("author", "author-feed", "author-atom")]
    tags = Tag.objects.filter(pk__in=TagLink.objects.published().values("tag_id"))
    for slug in tags.order_by("pk").values_list("slug", flat=True).iterator(chunk_size=2000):
        urls += [address(name, slug=slug) for name in ("tag", "tag-feed", "tag-atom")]
    return urls


def shares_pages():
    """Whether the pages (and the page cache's state) this process stores are seen by other processes:
    not with a local-memory or dummy cache, where warming in other processes would be lost."""
    local = ("LocMemCache", "DummyCache")
    return not any(
        type(caches[alias]).__name__ in local
        for alias in (settings.PAGE_STATE_CACHE, "default")
        if alias in settings.CACHES
    )


def _answers(urls, fetch, workers, jobs):
    """(url, status) of each of `urls`: in order, in this process (`workers` threads), or as `jobs`
    forked processes answer them."""
    if jobs > 1 and len(urls) > 1:
        yield from _in_processes(urls, fetch, workers, jobs)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # One worker: in this thread, with its database connection (in process, the pages render here).
        answers = (
            map(_fetch_or_error(fetch), urls) if workers == 1 else pool.map(_fetch_or_error(fetch), urls)
        )
        for url, (status, _) in zip(urls, answers, strict=True):
            yield url, status


# What a forked process inherited and must neither use nor close (closing a PostgreSQL connection
# sends the server a goodbye on the socket the parent still uses); the process ends with os._exit.
_INHERITED = []


def _in_processes(urls, fetch, workers, jobs, batch=20):
    """(url, status) of each of `urls`, as `jobs` forked processes answer them: process n takes every
    jobs-th address from the n-th (a share each, mixed alike), and sends statuses back in batches."""
    # Forked, not spawned: the processes get this one's settings (a test's database and cache, the
    # bench's) and its loaded application; nothing is pickled but addresses and statuses.
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    processes = [
        context.Process(target=_warm_share, args=(urls[n::jobs], fetch, workers, answers, batch), daemon=True)
        for n in range(jobs)
    ]
    for process in processes:
        process.start()
    try:
        running = jobs
        while running:
            try:
                done = answers.get(timeout=5)
            except queue.Empty:
                died = [process.exitcode for process in processes if process.exitcode not in (None, 0)]
                if died:
                    raise RuntimeError(f"a warming process ended with exit code {died[0]}") from None
                continue
            if done is None:
                running -= 1
            else:
                yield from done
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _warm_share(urls, fetch, workers, answers, batch):
    """In a forked process: fetch `urls` (the bodies stay here: only the cache needs them)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _INHERITED.append(connection.connection)
            connection.connection = None  # the next query connects anew, for this process alone
    fetched = _fetch_or_error(fetch)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(urls), batch):
            part = urls[start : start + batch]
            answered = map(fetched, part) if workers == 1 else pool.map(fetched, part)
            answers.put([(url, status) for url, (status, _) in zip(part, answered, strict=True)])
    for connection in connections.all(initialized_only=True):
        connection.close()  # its own, opened here
    answers.put(None)


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
