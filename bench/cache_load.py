"""Page cache under a Zipf-distributed load (issue 11): the hit ratio after warm-up, per cache
backend, and what a single admin edit makes stale against the exact set its publish event names.

    python bench/cache_load.py [--articles 100000] [--warmup 20000] [--requests 10000] [--zipf 1.0]
                               [--caches redis,file:100000,file:10000] [--edits 3] [--seed 11]
    make bench-cache                       # the defaults; ARGS="--caches file:10000" etc.

The site is the synthetic one of `make bench-scale` (bench/synthetic/), on SQLite in
var/bench-cache/ (built once, about 3 minutes at 100,000; reused while it holds the same site).
Each cache runs in a process of its own (bench/cache_replay.py says what one run does) with
CACHE_URL set as a deployment would set it:

- `redis`: $BENCH_REDIS_URL (default redis://127.0.0.1:6379/0) with the key prefix `bench-cache`;
  only that prefix's keys are deleted, before and after.
- `file:K`: a file cache in var/bench-cache/files-K/ holding at most K pages
  (PAGE_CACHE_MAX_ENTRIES=K, the setting a deployment sizes it with), emptied before and after.

Prints one table: per cache, the hit ratio in the measured window (all requests, and those to a page
requested before: what the cache could have answered), misses by cause, and per edit the pages
cached before it, those its event's keys name, and those it made stale.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-cache"


def run_cache(spec, args):
    """One cache's run in a process of its own; its RESULT."""
    backend, _, size = spec.partition(":")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": "bench-not-secret",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{WORK / f'sqlite_{args.articles}.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(WORK / "media"),
        "STATIC_ROOT": str(WORK / "static"),
        "CACHE_KEY_PREFIX": "bench-cache",
    }
    folder = None
    if backend == "redis":
        env["CACHE_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    elif backend == "file":
        folder = WORK / f"files-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        env["CACHE_URL"] = f"filecache://{folder}"
        env["PAGE_CACHE_MAX_ENTRIES"] = size
    else:
        raise SystemExit(f"--caches: unknown cache {spec!r} (redis, or file:MAX_PAGES)")
    (WORK / "static").mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(ROOT / "bench" / "cache_replay.py"), "--label", spec]
    for name in ("articles", "warmup", "requests", "zipf", "edits", "seed", "jobs"):
        command += [f"--{name}", str(getattr(args, name))]
    if args.crawl:
        command.append("--crawl")
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not results:
        raise SystemExit(f"{spec}: bench/cache_replay.py failed (exit {done.returncode})")
    return json.loads(results[-1].removeprefix("RESULT "))


def _percent(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "-"


def tables(results):
    lines = [
        (
            "| cache | hit ratio | hit ratio, pages seen before | first requests | expired | evicted or stale |"
            " pages stored | hit / miss ms |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec, result in results.items():
        window = result["window"]
        repeat = window["requests"] - window["first"]
        lines.append(
            f"| {spec} | **{_percent(window['hits'], window['requests'])}** | "
            f"{_percent(window['hits'], repeat)} | {window['first']:,} | {window['expired']:,} | "
            f"{window['evicted_or_stale']:,} | {result['stored_pages']:,} | "
            f"{window['hit_ms']:.2f} / {window['miss_ms']:.1f} |"
        )
    lines += ["", "| cache | kind | requests | hit ratio |", "|---|---|---|---|"]
    for spec, result in results.items():
        for kind, counts in result["window"]["kinds"].items():
            lines.append(
                f"| {spec} | {kind} | {counts['requests']:,} | {_percent(counts['hits'], counts['requests'])} |"
            )
    lines += [
        "",
        (
            "| cache | edit (popularity rank) | pages cached | named by its event | made stale | expired meanwhile"
            " | stale, not named | named, still served | the save: queries, ms |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for spec, result in results.items():
        for edit in result["edits"]:
            lines.append(
                f"| {spec} | {edit['rank']} | {edit['cached']:,} | {edit['named']:,} | {edit['stale']:,} |"
                f" {edit['expired']:,} | {edit['stale_not_named']:,} | {edit['named_still_served']:,} |"
                f" {edit['save_queries']}, {edit['save_ms']:.0f} |"
            )
    crawls = [
        f"{spec}: crawl warm-up (warm_page_cache: the sitemap, author and tag pages and feeds),"
        f" {result['crawl']['pages']:,} pages in {result['crawl']['seconds']:,} s, {result['crawl']['jobs']} processes"
        for spec, result in results.items()
        if result.get("crawl")
    ]
    return "\n".join([*crawls, *([""] if crawls else []), *lines])


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=20_000, help="requests before the measured window")
    parser.add_argument("--requests", type=int, default=10_000, help="requests in the measured window")
    parser.add_argument("--zipf", type=float, default=1.0, help="the popularity exponent (rank r: r^-s)")
    parser.add_argument("--caches", default="redis,file:100000,file:10000")
    parser.add_argument("--edits", type=int, default=3, help="single admin edits after the window")
    parser.add_argument(
        "--crawl", action="store_true", help="warm each cache from the sitemap (warm_page_cache) first"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes rendering the crawl (default: one a core)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(
        f"bench-cache: {args.articles:,} articles, Zipf s={args.zipf}, {args.warmup:,} warm-up and "
        f"{args.requests:,} measured requests a cache, load average {os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    results = {spec: run_cache(spec, args) for spec in args.caches.split(",")}
    print(tables(results))
    print(f"\n{time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
