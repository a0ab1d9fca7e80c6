"""Scale benchmark (issue 11): every uncached reader page and the admin, at 1,000 articles and at N,
on SQLite and on PostgreSQL; ratios taken within one run.

    python bench/scale.py [--articles 100000] [--repeat 7] [--keep] [--backends sqlite,postgresql]
                          [--pg-url postgres://postgres@127.0.0.1:5432/bench_scale] [--json FILE]
    make bench-scale N=20000 ARGS=--keep

For each backend it builds two synthetic sites (bench/synthetic/), of 1,000 articles and of N, and
times their pages, each site in a process of its own (bench/scale_site.py says what is timed and
how each request is made a page-cache miss). SQLite sites are files in a temporary folder;
PostgreSQL sites are the databases <name>_1000 and <name>_<N> on the server of --pg-url (default
$BENCH_PG_URL, else the one above), created and dropped by the run. --keep keeps them (SQLite in
var/bench-scale/) and reuses next time those that still hold the same site: building 100,000
articles takes minutes. An unreachable PostgreSQL is skipped with a message, unless CI is set.

Prints a Markdown table: per page, the median ms and queries a request on each site, the ratio N/1k
per backend, and which of issue 11's targets the page misses (readers' pages: within 1.5x of 1k
and under 50 ms on PostgreSQL at N; the admin's change list and search: under 300 ms at N; its
change form: within 1.5x).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1000
# Issue 11's targets. Readers' pages: at most READER_RATIO times their time at 1k, and under
# PG_READER_MS on PostgreSQL at N. The admin's lists ("admin"): under ADMIN_MS at N. The change
# form ("admin form"): flat, at most READER_RATIO times its time at 1k.
READER_RATIO, PG_READER_MS, ADMIN_MS = 1.5, 50, 300
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def run_site(url, articles, args, label, work):
    """Build (or reuse) and time one site in a process of its own; return its result."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": "bench-not-secret",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": url,
        "CACHE_URL": "locmemcache://",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(work / "media"),
        # WhiteNoise warns about a STATIC_ROOT that does not exist; pages link static files by name.
        "STATIC_ROOT": str(work / "static"),
        # The Content API's throttle (per client address) must not refuse the bench's requests.
        "CONTENT_API_RATE_PER_IP": "100000000/m",
    }
    (work / "static").mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(ROOT / "bench" / "scale_site.py"), "--articles", str(articles)]
    command += ["--repeat", str(args.repeat), "--seed", str(args.seed), "--label", label]
    if args.keep:
        command.append("--reuse")
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not results:
        raise SystemExit(f"{label}: bench/scale_site.py failed (exit {done.returncode})")
    return json.loads(results[-1].removeprefix("RESULT "))


def postgres_server(url):
    """(an autocommit connection to the server's `postgres` database, None) or (None, why not)."""
    import psycopg

    try:
        maintenance = urlsplit(url)._replace(path="/postgres").geturl()
        return psycopg.connect(maintenance, autocommit=True, connect_timeout=3), None
    except psycopg.OperationalError as exc:
        return None, str(exc).strip().splitlines()[0]


def _database(server, name, *, create=False, drop=False):
    from psycopg import sql

    exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and drop:
        server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    if create and (drop or not exists):
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_backend(backend, sizes, args, work):
    """{size: result} for one backend, or None when PostgreSQL is away (and CI is not set)."""
    results = {}
    if backend == "sqlite":
        for size in sizes:
            url = f"sqlite:///{work / f'sqlite_{size}.sqlite3'}"
            results[size] = run_site(url, size, args, f"SQLite {size}", work)
        return results
    server, why = postgres_server(args.pg_url)
    if server is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise SystemExit(f"PostgreSQL at {args.pg_url} is unreachable ({why}) and CI is set")
        print(f"PostgreSQL at {args.pg_url} is unreachable ({why}): PostgreSQL skipped.\n", flush=True)
        return None
    base = urlsplit(args.pg_url)
    with server:
        for size in sizes:
            name = f"{base.path.strip('/') or 'bench_scale'}_{size}"
            _database(server, name, create=True, drop=not args.keep)
            try:
                url = base._replace(path=f"/{name}").geturl()
                results[size] = run_site(url, size, args, f"PostgreSQL {size}", work)
            finally:
                if not args.keep:
                    _database(server, name, drop=True)
    return results


def _short(size):
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def describe(name, size, result):
    built = f"built in {result['built_seconds']:.0f} s" if result["built_seconds"] is not None else "reused"
    return (
        f"- {name} {_short(size)}: {built}; {result['articles']:,} articles ({result['public']:,} public, "
        f"{result['drafts']:,} drafts, {result['scheduled']:,} scheduled, {result['expired']:,} expired), "
        f"{result['authors']:,} authors, {result['tags']:,} tags, {result['tag_links']:,} tag links; "
        f"database {result['database_mb']:,} MB; the sitemaps list {result['sitemap_urls']:,} addresses"
    )


def table(results, sizes):
    """The Markdown table of every page: cells "ms (queries)", ratios, missed targets."""
    small, large = sizes[0], sizes[-1]
    header = ["page"]
    for backend, name in BACKENDS.items():
        if results.get(backend):
            header += [f"{name} {_short(small)}", f"{name} {_short(large)}", "ratio"]
    header.append("misses")
    pages = {}
    for by_size in results.values():
        for result in (by_size or {}).values():
            pages.update({page: row["group"] for page, row in result["pages"].items()})
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for page, group in pages.items():
        cells, misses = [page], []
        for backend, name in BACKENDS.items():
            by_size = results.get(backend)
            if not by_size:
                continue
            low, high = (by_size[size]["pages"].get(page) for size in (small, large))
            cells += [f"{row['ms']:.1f} ({row['queries']:g})" if row else "-" for row in (low, high)]
            ratio = high["ms"] / low["ms"] if low and high else None
            cells.append(f"{ratio:.2f}" if ratio is not None else "-")
            if ratio is None:
                continue
            if group in ("reader", "admin form") and ratio > READER_RATIO:
                misses.append(f"{name} ratio > {READER_RATIO}")
            if group == "reader" and backend == "postgresql" and high["ms"] >= PG_READER_MS:
                misses.append(f"{name} ≥ {PG_READER_MS} ms")
            if group == "admin" and high["ms"] >= ADMIN_MS:
                misses.append(f"{name} ≥ {ADMIN_MS} ms")
        cells.append("; ".join(misses) or "met")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000, help="N, the large site (default 100,000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests a page (default 7)")
    parser.add_argument("--seed", type=int, default=11, help="the generator's seed")
    parser.add_argument("--keep", action="store_true", help="keep the built sites and reuse them next time")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_scale")
    )
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    sizes = sorted({SMALL, args.articles})
    work = ROOT / "var" / "bench-scale" if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(
        f"bench-scale: sites of {' and '.join(f'{size:,}' for size in sizes)} articles, {args.repeat} "
        f"timed requests a page, load average {os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    results = {}
    try:
        for backend in args.backends.split(","):
            results[backend] = run_backend(backend, sizes, args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for backend, by_size in results.items():
        for size, result in (by_size or {}).items():
            print(describe(BACKENDS[backend], size, result))
    print(
        f"\nMedian ms of {args.repeat} uncached requests a page (queries a request), "
        f"load average {os.getloadavg()[0]:.1f} at the end, {time.perf_counter() - started:.0f} s in all:\n"
    )
    print(table(results, sizes))
    if args.json:
        args.json.write_text(
            json.dumps({"sizes": sizes, "repeat": args.repeat, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()
