"""One cache's run of bench/cache_load.py, in this process: CACHE_URL and the database are set by it.

    python bench/cache_replay.py --articles N --warmup W --requests R --zipf S --edits E --seed X

1. The synthetic site of N articles (built once, as `make bench-scale` builds it; reused after),
   the cache's pages and state emptied.
2. With --crawl, first every page the sitemap lists, requested once by `manage.py warm_page_cache`'s
   code (articles/page_cache/warming.py), as a production cache warmer does. Then W requests of a
   Zipf-distributed reader stream (bench/reader_stream.py), then R measured ones,
   through the whole WSGI app in process (Django's test Client, every middleware, the page cache
   first), as a reader behind the TLS terminator. A request is a hit when the page cache answered
   it. Each miss is put down to one cause: the page's first request (no cache could have it), its
   lifetime (PAGE_CACHE_SECONDS) passed since it was stored, or else evicted or made stale.
   A page whose lifetime ran out between the lookups around an edit counts as expired, not stale.
3. E single edits, each of one article (popularity ranks 1, 100, 10,000, ...): an editor's save of
   the admin change form, posted as a browser posts it (its fields read from the form the admin
   renders), so the publish event is written and the page cache told by the same code as in use.
   Before and after it, every page stored so far (the crawl's too) is looked up as a reader's
   request would be, without rendering (bench/cache_edits.py): the pages cached before it, those it
   made stale, and, from each cached page's surrogate keys (its `xkey`) and the event's keys (what
   publishing.affected() named), those it should have made stale. Nothing else may go stale, and
   nothing named may still be served.

The last line of output is `RESULT {json}`; progress goes to stderr.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# As the TLS terminator sends them: the Host the reader asked for (the Site's domain, which the
# sitemap's addresses name too), not the test client's SERVER_NAME with its port 80.
HEADERS = {"X-Forwarded-Proto": "https", "Host": "testserver"}
LIST_PAGES = 50  # the list's pages readers go through (the first, then deeper ones)
EDIT_RANKS = (1, 100, 10_000, 1_000, 30_000)  # used by bench/cache_edits.py
EDITED = " (edited)"


def empty_cache():
    """Delete the pages and the state: by our key prefix on Redis (a shared server), else all."""
    from django.core.cache import cache

    from articles import page_cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
        page_cache.state_cache().clear()
    page_cache.pages._recent.clear()


def population(seed):
    """The public articles (bench.reader_stream.Article), in an order of popularity drawn at random."""
    from articles.models import Article
    from bench.reader_stream import Article as Read

    public = Article.objects.published()
    tags = {}
    links = Article.tags.through.objects.filter(article__in=public).order_by("article_id", "tag__slug")
    for article_id, slug in links.values_list("article_id", "tag__slug").iterator(chunk_size=10_000):
        tags.setdefault(article_id, []).append(slug)
    rows = public.order_by("pk").values_list("pk", "slug", "author__slug")
    articles = [Read(f"/blog/{slug}", author, tuple(tags.get(pk, ()))) for pk, slug, author in rows]
    pks = [pk for pk, _, _ in rows]
    order = list(range(len(articles)))
    random.Random(f"{seed}:popularity").shuffle(order)
    return [articles[i] for i in order], [pks[i] for i in order]


def list_pages(client):
    """The addresses of the list's first LIST_PAGES pages, as its links give them (?before=key)."""
    found = ["/blog/"]
    for number in range(2, LIST_PAGES + 1):
        found.append(client.get(f"/blog/?page={number}")["Location"])
    return found


class Replay:
    """Requests through the whole app, counted as hits or misses with their causes."""

    def __init__(self, client, lifetime):
        from articles.page_cache import pages

        self.client = client
        self.lifetime = lifetime
        self.keys = {}  # path -> the surrogate keys its last answer named
        self.stored_at = {}  # path -> when it was last rendered
        self.answered = None
        lookup = pages.lookup

        def counted(request):
            found = lookup(request)
            self.answered = found.response is not None
            return found

        pages.lookup = counted
        self.reset()

    def reset(self):
        self.window = {
            "requests": 0,
            "hits": 0,
            "first": 0,
            "expired": 0,
            "evicted_or_stale": 0,
            "kinds": {},
        }
        self.timings = {True: [], False: []}

    def get(self, kind, path):
        self.answered = None
        started = time.perf_counter()
        response = self.client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}, not 200")
        hit = bool(self.answered)
        window = self.window
        window["requests"] += 1
        counts = window["kinds"].setdefault(kind, {"requests": 0, "hits": 0})
        counts["requests"] += 1
        self.timings[hit].append(elapsed * 1000)
        if hit:
            window["hits"] += 1
            counts["hits"] += 1
        else:
            if path not in self.stored_at:
                window["first"] += 1
            elif time.monotonic() - self.stored_at[path] >= self.lifetime:
                window["expired"] += 1
            else:
                window["evicted_or_stale"] += 1
            self.stored_at[path] = time.monotonic()
        self.keys[path] = frozenset(response.get("xkey", "").split())

    def summary(self):
        return {
            **self.window,
            "kinds": {kind: dict(counts) for kind, counts in self.window["kinds"].items()},
            "hit_ms": statistics.median(self.timings[True]) if self.timings[True] else 0.0,
            "miss_ms": statistics.median(self.timings[False]) if self.timings[False] else 0.0,
        }


def crawl(replay, jobs):
    """The warm-up of `manage.py warm_page_cache`'s own code (the sitemap's pages, then the author and
    tag pages and feeds it does not list), from this process, `jobs` processes rendering, before the
    readers' warm-up. Each page it requests counts as stored then: a later miss on it is not a first
    request."""
    from django.contrib.sites.models import Site
    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse

    from articles.page_cache import serve_hits_first
    from articles.page_cache.warming import beyond_the_sitemap, in_process, warm

    fetch = in_process(serve_hits_first(get_wsgi_application()))
    site_url = f"https://{Site.objects.get_current().domain}"

    def progress(report):
        if report.pages % 5_000 == 0:
            sys.stderr.write(
                f"{time.strftime('%H:%M:%S')} crawl: {report.pages:,} pages in {report.seconds:.0f} s\n"
            )

    report = warm(
        f"{site_url}{reverse('sitemap')}",
        fetch,
        jobs=jobs,
        beyond=beyond_the_sitemap(site_url),
        progress=progress,
    )
    if report.failed:
        raise SystemExit(f"the crawl warm-up failed: {report.failed[:3]}")
    now = time.monotonic()
    for url in report.urls:
        parts = urlsplit(url)
        replay.stored_at[parts.path + (f"?{parts.query}" if parts.query else "")] = now
    return {"pages": report.pages, "seconds": round(report.seconds), "jobs": jobs}


def stored_pages():
    """How many pages the cache holds (files, or our prefix's keys on Redis)."""
    from django.conf import settings
    from django.core.cache import cache

    if hasattr(cache, "keys"):
        return len(cache.keys("pages:*")) - len(cache.keys("pages:key:*")) - 2
    folder = Path(settings.CACHES["default"]["LOCATION"])
    return sum(1 for entry in os.scandir(folder) if entry.name.endswith(".djcache"))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, kind in (("articles", int), ("warmup", int), ("requests", int), ("zipf", float)):
        parser.add_argument(f"--{name}", type=kind, required=True)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--label", default="cache")
    parser.add_argument("--crawl", action="store_true", help="warm the cache from the sitemap first")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes rendering the crawl")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.reader_stream import ReaderStream
    from bench.scale_site import build, warm_os_cache

    build(args.articles, args.seed, True, args.label)
    warm_os_cache()
    reader = Client(headers=HEADERS)
    editor = Client(headers=HEADERS)
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    editor.force_login(user)
    articles, pks = population(args.seed)
    stream = ReaderStream(articles, list_pages(reader), exponent=args.zipf, seed=args.seed)
    empty_cache()
    replay = Replay(reader, settings.PAGE_CACHE_SECONDS)
    started = time.perf_counter()
    crawled = crawl(replay, args.jobs) if args.crawl else None
    for number in range(args.warmup):
        replay.get(*stream.next())
        if number % 5_000 == 4_999:
            sys.stderr.write(
                f"{time.strftime('%H:%M:%S')} {args.label}: {number + 1:,} warm-up requests in"
                f" {time.perf_counter() - started:.0f} s,"
                f" {replay.window['hits'] / replay.window['requests']:.3f} hits\n"
            )
    replay.reset()
    for _ in range(args.requests):
        replay.get(*stream.next())
    window = replay.summary()
    sys.stderr.write(f"{time.strftime('%H:%M:%S')} {args.label}: window {window}\n")
    from bench.cache_edits import edits  # imported now: see its docstring

    result = {
        "crawl": crawled,
        "window": window,
        "stored_pages": stored_pages(),
        "edits": edits(replay, editor, pks, args.edits),
        "seconds": round(time.perf_counter() - started),
    }
    empty_cache()
    sys.stdout.write(f"RESULT {json.dumps(result)}\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    main()
