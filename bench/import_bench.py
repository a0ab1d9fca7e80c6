"""Import benchmark: N synthetic articles, measured against the floor in one run.

    python bench/import_bench.py [--articles 10000] [--keep DIR]
    BENCH_DATABASE_URL=postgres://user@host:5432/name python bench/import_bench.py ...

Phases, each timed in this one process on a fresh SQLite database (or, with BENCH_DATABASE_URL, a
fresh database `bench_<name>` made beside the one named there, and dropped at the end):
  parse     python-frontmatter parses every file (no rendering, no database)
  floor     parse + render the body with our render(), in a bare loop: the least any import can do
  import    `import_paths()` into an empty database (validation, rows, savepoints, batched commits)
  reimport  the same unchanged files again (recognized by their hash: neither parsed nor rendered)
Prints seconds, files/s, the ratios the targets speak of (import/floor <= 1.5, reimport/parse < 1),
and memory: the process's RSS sampled through the import, to show it does not grow with N.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic.files import write_files  # noqa: E402 (the path above first)


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    files_dir = args.keep or work / "articles"
    files_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_SECRET_KEY": "bench-not-secret",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": database_url or f"sqlite:///{work / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
        }
    )
    import django

    django.setup()
    import frontmatter
    from django.core.management import call_command
    from django.db import connection

    from articles.importer import find_seed_files, import_paths
    from articles.markdown import render

    started = time.perf_counter()
    write_files(files_dir, args.articles)
    paths = find_seed_files([files_dir])
    total_bytes = sum(p.stat().st_size for p in paths)
    print(
        f"generated {len(paths)} articles, {total_bytes / len(paths) / 1024:.1f} KB each on average, "
        f"in {time.perf_counter() - started:.1f}s"
    )
    if database_url:
        # The test runner's way to a fresh, migrated database, under a name of its own: the named
        # database is never written, and a test run against it at the same time is not disturbed.
        named = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"bench_{named}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    def timed(label, work_fn):
        begin = time.perf_counter()
        result = work_fn()
        seconds = time.perf_counter() - begin
        print(f"{label:<9} {seconds:8.2f}s  {len(paths) / seconds:8.0f} files/s")
        return seconds, result

    parse, _ = timed("parse", lambda: [frontmatter.load(p) for p in paths] and None)
    floor, _ = timed("floor", lambda: [render(frontmatter.load(p).content) for p in paths] and None)

    samples = []

    def sample(done, total):
        if done % max(total // 10, 1) == 0:
            samples.append((done, rss_mb()))

    rss_before = rss_mb()
    first, report = timed(
        "import", lambda: import_paths([files_dir], on_progress=sample, keep_outcomes=False)
    )
    assert report.count("created") == len(paths), report.summary_line()
    again, report = timed("reimport", lambda: import_paths([files_dir], keep_outcomes=False))
    assert report.count("unchanged") == len(paths), report.summary_line()

    print(f"ratio import/floor   = {first / floor:.2f}  (target <= 1.5)")
    print(f"ratio reimport/parse = {again / parse:.2f}  (target < 1)")
    print(
        f"RSS before import {rss_before:.0f} MB; during import "
        + ", ".join(f"{done}: {mb:.0f} MB" for done, mb in samples)
    )
    if database_url:
        connection.creation.destroy_test_db(named, verbosity=0)
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
