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
   Before and after it, every page requested so far is looked up as a reader's request would be
   (without rendering): the pages cached before it, those it made stale, and, from the page's own
   surrogate keys (its `xkey`) and the event's keys (what publishing.affected() named), those it
   should have made stale. Nothing else may go stale, and nothing named may still be served.

The last line of output is `RESULT {json}`; progress goes to stderr.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# As the TLS terminator sends them: the Host the reader asked for (the Site's domain, which the
# sitemap's addresses name too), not the test client's SERVER_NAME with its port 80.
HEADERS = {"X-Forwarded-Proto": "https", "Host": "testserver"}
LIST_PAGES = 50  # the list's pages readers go through (the first, then deeper ones)
EDIT_RANKS = (1, 100, 10_000, 1_000, 30_000)
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


class _ReadOnly:
    """The pages' cache, read but not written: looking pages up must not change what is cached (a
    page found current is stamped, a write, and a write to a full file cache culls others)."""

    def __init__(self, cache):
        self.get, self.get_many = cache.get, cache.get_many

    def set(self, *args, **kwargs):
        pass


def looked_up(paths):
    """{path: (when it was looked up, until when its page is fresh, or None when the page cache
    would not answer it)}, each path looked up as a reader's GET (nothing rendered)."""
    from django.test import RequestFactory
    from django.utils import timezone

    from articles.page_cache import pages

    factory = RequestFactory(headers=HEADERS)
    fresh = pages._fresh
    served = []

    def noted(*args):
        current = fresh(*args)
        served.append(current)
        return current

    found = {}
    with mock.patch.object(pages, "cache", _ReadOnly(pages.cache)), mock.patch.object(pages, "_fresh", noted):
        for path in paths:
            served.clear()
            looked_at = timezone.now()
            answered = pages.lookup(factory.get(path)).response is not None
            found[path] = (looked_at, served[-1].fresh_until if answered else None)
    pages._recent.clear()  # pages looked up here are not pages readers read
    return found


def cached(found):
    return {path for path, (_, fresh_until) in found.items() if fresh_until is not None}


class _FormFields(HTMLParser):
    """The fields of the form with id `form_id`, as a browser submits them (no files)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields.append(
                    [attrs.get("name"), attrs.get("value", "on" if kind == "checkbox" else "")]
                )
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select = (attrs.get("name"), "multiple" in attrs, len(self.fields))
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select[0], attrs.get("value", "")])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that directly follows <textarea>.
            self._textarea[1] = self._textarea[1].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def admin_edit(editor, pk):
    """Retitle article `pk` through the admin's change form, as an editor does; the event's keys."""
    from publishing.models import Event

    url = f"/admin/articles/article/{pk}/change/"
    parser = _FormFields("article_form")
    parser.feed(editor.get(url).content.decode())
    data = {}
    for name, value in parser.fields:
        if name:
            data.setdefault(name, []).append(value)
    # Edited, or edited back: a site reused by the next run stays the site it was built as.
    title = data["title"][0]
    data["title"] = [title.removesuffix(EDITED) if title.endswith(EDITED) else title + EDITED]
    data["_save"] = ["Save"]
    latest = Event.objects.filter(article_id=pk).order_by("-created_at").first()
    response = editor.post(url, data)
    if response.status_code != 302:
        raise SystemExit(f"the admin refused the edit of article {pk} ({response.status_code})")
    event = Event.objects.filter(article_id=pk).order_by("-created_at").first()
    if event is None or (latest is not None and event.pk == latest.pk):
        raise SystemExit(f"the admin edit of article {pk} wrote no publish event")
    return frozenset(event.keys)


def edits(replay, editor, pks, count):
    results = []
    for rank in EDIT_RANKS[:count]:
        seen = list(replay.keys)
        before = looked_up(seen)
        named = {path for path in cached(before) if replay.keys[path] & admin_edit(editor, pks[rank - 1])}
        after = looked_up(seen)
        gone = cached(before) - cached(after)
        # A page whose lifetime ran out before it was looked up again expired: the edit did not make
        # it stale (at 100,000 pages under load, the two lookups took longer than a 600 s lifetime).
        expired = {path for path in gone if before[path][1] <= after[path][0]}
        stale = gone - expired
        results.append(
            {
                "rank": rank,
                "cached": len(cached(before)),
                "named": len(named),
                "stale": len(stale),
                "expired": len(expired),
                "stale_not_named": len(stale - named),
                "named_still_served": len(named & cached(after)),
                "stale_paths": sorted(stale)[:20],
            }
        )
        sys.stderr.write(f"edit of rank {rank}: {results[-1]}\n")
        # Readers ask again for what it made stale: the next edit starts from a full cache.
        for path in stale:
            replay.get("after an edit", path)
    return results


def crawl(replay):
    """The sitemap warm-up: `manage.py warm_page_cache`'s own code, in this process, before the
    readers' warm-up. Each page it requests counts as stored then: a later miss on it is not a
    first request."""
    from django.contrib.sites.models import Site
    from django.core.wsgi import get_wsgi_application
    from django.urls import reverse

    from articles.page_cache import serve_hits_first
    from articles.page_cache.warming import in_process, warm

    fetch = in_process(serve_hits_first(get_wsgi_application()))

    def noted(url):
        answer = fetch(url)
        parts = urlsplit(url)
        replay.stored_at[parts.path + (f"?{parts.query}" if parts.query else "")] = time.monotonic()
        return answer

    def progress(report):
        if report.pages % 5_000 == 0:
            sys.stderr.write(
                f"{time.strftime('%H:%M:%S')} crawl: {report.pages:,} pages in {report.seconds:.0f} s\n"
            )

    report = warm(
        f"https://{Site.objects.get_current().domain}{reverse('sitemap')}", noted, progress=progress
    )
    if report.failed:
        raise SystemExit(f"the crawl warm-up failed: {report.failed[:3]}")
    return {"pages": report.pages, "seconds": round(report.seconds)}


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
    crawled = crawl(replay) if args.crawl else None
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
