"""One site of the scale benchmark: build it (or reuse it), then time its pages, in this process.

    DATABASE_URL=... python bench/scale_site.py --articles N [--repeat 7] [--seed 11] [--reuse]

bench/scale.py runs this once per backend and size, with the environment below set up, and reads
the last line of its output: `RESULT {json}`. Progress goes to stderr.

Every measured request is a page-cache MISS by construction: the cache is local memory, and its
pages (not its state) are cleared before each request (the Content API's rows but one keep the
totals and representations the API keeps beside its pages, as for a reader of an address not read
since the last change; the row "nothing kept" clears them too), so each one renders the page and stores it,
as the first reader after a change does; a hit runs no query, so a request that ran none fails the
run. One row, "article, page-cache state lost", clears the state too (as after a cache restart).
Each page: one untimed request first (it warms templates and query plans), then `repeat` timed ones,
to different articles, authors and tags where the page has them (public ones, picked at random,
so popular authors and tags come up as often as readers meet them), and the author and tag pages
again among those with a full page of 20 articles (at 1k most have a few: the row without "full"
compares pages of different sizes); the median wall time and the median number of queries. Admin pages are requested logged in as a superuser (the session cookie
bypasses the page cache, as for every editor).
"""

import argparse
import hashlib
import json
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic.plan import DEFAULT_SEED  # noqa: E402 (the path above first)

# Pages slower than this get fewer timed requests (the 100,000-article sitemap takes seconds).
SLOW_SECONDS = 2.0
SLOW_REPEAT = 3


def generator_version():
    """A digest of the generator's code: a site built by another version is built again."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "bench" / "synthetic").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _marker(cursor, write=None):
    """The description of the site this database holds (a table of the bench's own), or None."""
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_synthetic_site (description TEXT)")
    if write is not None:
        cursor.execute("DELETE FROM bench_synthetic_site")
        cursor.execute("INSERT INTO bench_synthetic_site VALUES (%s)", [json.dumps(write, sort_keys=True)])
        return write
    cursor.execute("SELECT description FROM bench_synthetic_site")
    row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def build(articles, seed, reuse, label):
    """Build the site unless `reuse` and this database holds this very site; return its facts."""
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article
    from bench.synthetic.database import insert_site

    call_command("migrate", verbosity=0)
    wanted = {"articles": articles, "seed": seed, "generator": generator_version()}
    with connection.cursor() as cursor:
        if reuse and _marker(cursor) == wanted and Article.objects.count() == articles:
            sys.stderr.write(f"{label}: reusing the site built before\n")
            return {"built_seconds": None}
    if Article.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()

    def progress(done, total):
        if done % max(total // 10, 1000) < 1000 or done == total:
            sys.stderr.write(f"{label}: {done}/{total} articles in {time.perf_counter() - started:.0f}s\n")

    site = insert_site(articles, seed=seed, on_progress=progress)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: statistics, and the visibility map that
            # index-only scans need. A real site is measured in that state, not in the minute after.
            cursor.execute("VACUUM ANALYZE")
        else:
            # Move the WAL into the database file (as SQLite's automatic checkpoints do, in time),
            # so that the database's size is the file's. SQLite gathers no statistics by itself.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with connection.cursor() as cursor:
        _marker(cursor, write=wanted)
    return {"built_seconds": round(site.seconds, 1)}


def facts():
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, Author, Status, Tag

    now = timezone.now()
    published = Article.objects.filter(status=Status.PUBLISHED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    else:
        name = Path(settings.DATABASES["default"]["NAME"])
        size = sum(p.stat().st_size for p in name.parent.glob(f"{name.name}*"))
    return {
        "articles": Article.objects.count(),
        "public": Article.objects.published().count(),
        "drafts": Article.objects.filter(status=Status.DRAFT).count(),
        "scheduled": published.filter(published__gt=now).count(),
        "expired": published.filter(expires__lte=now).count(),
        "authors": Author.objects.count(),
        "tags": Tag.objects.count(),
        "tag_links": Article.tags.through.objects.count(),
        "database_mb": round(size / 1e6),
    }


def warm_os_cache():
    """Read the whole database once, so that its pages are in the OS cache whether the site was just
    built or reused from an earlier run (a served site is warm; a cold 2 GB file doubled some
    timings). PostgreSQL: with pg_prewarm's "read" mode, when the server has the extension."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        with open(settings.DATABASES["default"]["NAME"], "rb") as database:
            while database.read(16 << 20):
                pass
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_prewarm'")
        if cursor.fetchone() is None:
            sys.stderr.write("pg_prewarm is not available: the database may be measured cold\n")
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'i', 't') AND n.nspname IN ('public', 'pg_toast')"
        )


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _clear_pages():
    """Every page, and everything kept with them: the API's totals (articles.page_cache.kept) and
    its articles' representations (content_api/fragments.py), as after a change that names them all."""
    from django.core.cache import caches

    from articles.page_cache import pages
    from content_api import fragments

    caches["default"].clear()
    pages._recent.clear()  # the pages this process keeps decoded
    fragments.forget()


def _clear_pages_only():
    """The pages alone (the bench's local-memory cache, by key): what the Content API keeps beside
    them stays, as for a reader of an address no one read since the last change (another page of a
    list, another limit or shape)."""
    from django.core.cache import caches

    from articles.page_cache import pages

    held = caches["default"]
    with held._lock:
        for key in [key for key in held._cache if ":pages:" in key]:
            del held._cache[key]
            held._expire_info.pop(key, None)
    pages._recent.clear()


def _clear_pages_and_state():
    from articles import page_cache

    _clear_pages()
    page_cache.state_cache().clear()


def time_page(client, paths, repeat, before):
    """{"ms", "queries"}: the medians of `repeat` GETs cycling through `paths`, each after `before()`,
    following one untimed request."""
    from django.db import connection

    before()
    started = time.perf_counter()
    first = client.get(paths[0])
    if first.status_code != 200:
        raise SystemExit(f"{paths[0]} answered {first.status_code}, not 200")
    if time.perf_counter() - started > SLOW_SECONDS:
        repeat = min(repeat, SLOW_REPEAT)
    timings, queries = [], []
    for number in range(repeat):
        path = paths[number % len(paths)]
        before()
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}, not 200")
        if counter.count == 0:
            raise SystemExit(f"{path} ran no query: a page-cache hit, not the miss this bench measures")
        queries.append(counter.count)
    return {"ms": round(statistics.median(timings), 2), "queries": statistics.median(queries)}


def reader_and_admin_pages(repeat, seed):
    """([(name, paths, group)], the addresses the sitemaps list): the pages to time. The group says which target applies (bench/scale.py):
    "reader" (readers' pages), "admin" (the lists editors wait for), "admin form" (the change form)."""
    from django.test import Client

    from articles.models import Article
    from articles.views import ARTICLES_PER_PAGE
    from bench.synthetic.text import COMMON_WORDS
    from content_api.parameters import DEFAULT_LIMIT

    rng = random.Random(seed)
    public = list(Article.objects.published().order_by("pk").values_list("pk", "slug", "author__slug"))
    picked = rng.sample(public, min(repeat, len(public)))
    by_author = [author for _, _, author in rng.sample(public, min(repeat * 3, len(public))) if author]
    links = Article.tags.through.objects
    tag_slugs = [
        rng.choice(sorted(links.filter(article_id=pk).values_list("tag__slug", flat=True)))
        for pk, _, _ in rng.sample(public, min(repeat, len(public)))
    ]
    # The same pages when full: picked as readers meet them among the authors and tags with a page's
    # worth of public articles. At 1k most authors and tags readers meet have a handful (6 and 11 on
    # average), at 100k twenty, and a page's render grows with its cards, not with N.
    full_authors = full_pages(Article.objects.published().values("author__slug"), rng, repeat)
    full_tags = full_pages(
        links.filter(article__in=Article.objects.published()).values("tag__slug"), rng, repeat
    )
    client = Client(headers={"X-Forwarded-Proto": "https"})
    sitemaps, listed = sitemap_pages(client)
    last_page = max(1, math.ceil(len(public) / ARTICLES_PER_PAGE))

    def list_page(number):  # lists page by key: a numbered address redirects to the page's own
        return client.get(f"/blog/?page={number}").get("Location") or f"/blog/?page={number}"

    # The last page holds what is left over (5 articles at 1k, 14 at 100k); the one before it is as
    # deep and always full, so it compares the same page at both sizes, as the "full" rows below do.
    last_page_url, next_to_last_url = list_page(last_page), list_page(max(1, last_page - 1))
    terms = "+".join(COMMON_WORDS)
    api_last_page = max(1, math.ceil(len(public) / DEFAULT_LIMIT))
    pages = [
        ("article", [f"/blog/{slug}" for _, slug, _ in picked], "reader"),
        ("list, first page", ["/blog/"], "reader"),
        ("list, last page", [last_page_url], "reader"),
        ("list, next-to-last page (20 articles)", [next_to_last_url], "reader"),
        ("author page", [f"/blog/author/{slug}" for slug in by_author[:repeat]], "reader"),
        ("tag page", [f"/blog/tag/{slug}" for slug in tag_slugs], "reader"),
        ("author page, full (20 articles)", [f"/blog/author/{slug}" for slug in full_authors], "reader"),
        ("tag page, full (20 articles)", [f"/blog/tag/{slug}" for slug in full_tags], "reader"),
        ("feed (RSS)", ["/blog/feed.xml"], "reader"),
        (f"search “{' '.join(COMMON_WORDS)}”", [f"/blog/search?q={terms}"], "reader"),
        *sitemaps,
        # The Content API (issue 12) as front ends read it: held to the readers' targets.
        ("API list of 15, author and tags", ["/api/v1/articles/?include=author,tags"], "reader"),
        ("API list of 15, nothing kept", ["/api/v1/articles/?include=author,tags"], "reader"),
        ("API list, last page", [f"/api/v1/articles/?page={api_last_page}"], "reader"),
        ("API article", [f"/api/v1/articles/{slug}/" for _, slug, _ in picked], "reader"),
        ("API articles of a tag", [f"/api/v1/articles/?filter=tag:{slug}" for slug in tag_slugs], "reader"),
        ("API authors", ["/api/v1/authors/"], "reader"),
        ("API tags", ["/api/v1/tags/"], "reader"),
        ("admin change list", ["/admin/articles/article/"], "admin"),
        (f"admin search “{' '.join(COMMON_WORDS)}”", [f"/admin/articles/article/?q={terms}"], "admin"),
        ("admin change form", [f"/admin/articles/article/{pk}/change/" for pk, _, _ in picked], "admin form"),
    ]
    # A small site may have no full author or tag page: that row is left out.
    return [page for page in pages if page[1]], listed


def full_pages(grouped, rng, repeat):
    """`repeat` slugs of `grouped` (public articles' values() by one slug column), among those with
    at least a page of articles, each as often as readers meet it (by its number of articles)."""
    from django.db.models import Count

    from articles.views import ARTICLES_PER_PAGE

    column = next(iter(grouped.query.values_select))
    counted = grouped.order_by().annotate(n=Count("pk")).filter(n__gte=ARTICLES_PER_PAGE)
    rows = sorted((row[column], row["n"]) for row in counted if row[column])
    if not rows:
        return []
    return rng.choices([slug for slug, _ in rows], weights=[n for _, n in rows], k=repeat)


_LOC = re.compile(r"<loc>([^<]+)</loc>")


def sitemap_pages(client):
    """(pages, the number of addresses the sitemaps list): /sitemap.xml, and when it is an index,
    its first and last section (the same one when there is one)."""
    _clear_pages()
    document = client.get("/sitemap.xml").content.decode()
    pages = [("sitemap.xml", ["/sitemap.xml"], "reader")]
    if "<sitemapindex" not in document:
        return pages, document.count("<url>")
    sections = [urlsplit(loc) for loc in _LOC.findall(document)]
    paths = [f"{s.path}?{s.query}" if s.query else s.path for s in sections]
    listed = sum(client.get(path).content.decode().count("<url>") for path in paths)
    # The articles' sections: the pages' own document lists one address and runs no query (the
    # Site is cached in the process), which this bench would take for a page-cache hit.
    sections = [path for path in paths if "sitemap-articles" in path] or paths
    pages += [
        ("sitemap section, first", sections[:1], "reader"),
        ("sitemap section, last", sections[-1:], "reader"),
    ]
    return pages, listed


def measure(repeat, seed):
    from django.contrib.auth import get_user_model
    from django.test import Client

    reader = Client(headers={"X-Forwarded-Proto": "https"})  # as sent by the TLS terminator
    editor = Client(headers={"X-Forwarded-Proto": "https"})
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    editor.force_login(user)
    pages, listed = reader_and_admin_pages(repeat, seed)
    results = {}
    for name, paths, group in pages:
        client = reader if group == "reader" else editor
        # The API's rows (but one) keep what it keeps beside the pages; every other row clears it all.
        before = _clear_pages_only if name.startswith("API") and "nothing kept" not in name else _clear_pages
        results[name] = {"group": group, **time_page(client, paths, repeat, before)}
        if name == "article":
            lost = time_page(reader, paths, repeat, _clear_pages_and_state)
            results["article, page-cache state lost"] = {"group": "reader", **lost}
    return {"sitemap_urls": listed, "pages": results}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reuse", action="store_true", help="keep the site if this database holds it")
    parser.add_argument("--label", default="site")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    built = build(args.articles, args.seed, args.reuse, args.label)
    warm_os_cache()
    sys.stderr.write(f"{args.label}: measuring\n")
    result = {"vendor": connection.vendor, **built, **facts(), **measure(args.repeat, args.seed)}
    sys.stdout.write(f"RESULT {json.dumps(result)}\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    main()
