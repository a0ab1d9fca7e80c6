"""Import benchmark: N synthetic articles, measured against the floor in one run.

    python bench/import_bench.py [--articles 10000] [--jobs N] [--repeats R] [--keep DIR]
    BENCH_DATABASE_URL=postgres://user@host:5432/name python bench/import_bench.py ...

Phases, each timed in this one process on a fresh SQLite database (or, with BENCH_DATABASE_URL, a
fresh database `bench_<name>` made beside the one named there, and dropped at the end):
  parse     python-frontmatter parses every file (no rendering, no database)
  floor     parse + render the body with our render(), in a bare loop on one core: the least a
            single-process import can do (issue 11's reference floor)
  import    `import_paths()` with the default jobs (a worker per core parses and renders, this
            process writes) into an empty database
  import/1  the same with --jobs 1 (all in this process), into an empty database again
  reimport  the same unchanged files again (recognized by their hash: neither parsed nor rendered)
floor, import and import/1 are repeated --repeats times, interleaved, each import after a flush, so
that a busy minute on the shared machine hits all three; each repeat prints its ratios and the load.
Memory: this process's RSS and its workers' (summed), sampled through the first import. The
cache is a file cache in the work folder (BENCH_CACHE_URL to choose another), as for `make serve`.
"""

import argparse
import os
import resource
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


def children_rss_mb():
    """The summed RSS of this process's children (the import's workers)."""
    import multiprocessing

    total = 0
    for child in multiprocessing.active_children():
        try:
            with open(f"/proc/{child.pid}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total / 1e6


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load():
    return "load " + " ".join(f"{average:.1f}" for average in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, help="the import's jobs (default: the importer's)")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved floor/import/import-1 runs")
    parser.add_argument("--no-single", action="store_true", help="skip the --jobs 1 import")
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
            # A cache outside this process, as `make serve` and a deployment have (BENCH_CACHE_URL:
            # redis://… for Redis): with the local-memory default, the page cache's state (a
            # generation per surrogate key of each imported article, ~0.9 KB a file) grew in this
            # process and was most of the import's RSS growth per file.
            "CACHE_URL": os.environ.get("BENCH_CACHE_URL") or f"filecache://{work / 'cache'}",
        }
    )
    import django

    django.setup()
    import frontmatter
    from django.core.management import call_command
    from django.db import connection

    from articles.import_workers import default_jobs
    from articles.importer import find_seed_files, import_paths
    from articles.markdown import render

    started = time.perf_counter()
    write_files(files_dir, args.articles)
    # As text: 100,000 Path objects would hold ~37 MB in this process through the whole run.
    paths = [str(path) for path in find_seed_files([files_dir])]
    total_bytes = sum(os.path.getsize(p) for p in paths)
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

    cpu = {}  # label -> (this process's CPU seconds, its finished children's: the workers')

    def timed(label, work_fn):
        begin, begin_cpu, begin_children = time.perf_counter(), time.process_time(), children_cpu()
        result = work_fn()
        seconds = time.perf_counter() - begin
        cpu[label] = (time.process_time() - begin_cpu, children_cpu() - begin_children)
        print(
            f"{label:<9} {seconds:8.2f}s  {len(paths) / seconds:8.0f} files/s"
            f"  CPU {cpu[label][0]:.2f}s here + {cpu[label][1]:.2f}s in workers"
        )
        return seconds, result

    def each(work_fn):
        """work_fn over every file, keeping no result: a list of 100,000 parsed files (~500 MB) left
        this process's RSS high after it was freed, which hid any growth during the import."""
        for p in paths:
            work_fn(p)

    parse, _ = timed("parse", lambda: each(frontmatter.load))

    samples = []

    def sample(done, total):
        if done % max(total // 10, 1) == 0:
            samples.append((done, rss_mb(), children_rss_mb()))

    def fresh_import(jobs, **options):
        call_command("flush", interactive=False, verbosity=0)
        return import_paths([files_dir], jobs=jobs, keep_outcomes=False, **options)

    rss_before = rss_mb()
    for repeat in range(1, args.repeats + 1):
        print(f"repeat {repeat}: {load()}")
        floor, _ = timed("floor", lambda: each(lambda p: render(frontmatter.load(p).content)))
        on_progress = sample if repeat == 1 else None
        first, report = timed("import", lambda: fresh_import(args.jobs, on_progress=on_progress))  # noqa: B023
        assert report.count("created") == len(paths), report.summary_line()
        line = f"repeat {repeat}: import/floor = {first / floor:.2f} (target <= 1.5)"
        # What the wall clock would say with a core per process: the writer and the workers overlap.
        (writer, workers), jobs = cpu["import"], args.jobs or default_jobs(len(paths))
        line += f", by CPU on free cores max(writer, workers/{jobs}) / floor = "
        line += f"{max(writer, workers / jobs) / cpu['floor'][0]:.2f}"
        if not args.no_single:
            single, report = timed("import/1", lambda: fresh_import(1))
            assert report.count("created") == len(paths), report.summary_line()
            line += f", import/1 / floor = {single / floor:.2f}, import/1 / import = {single / first:.2f}"
        print(f"{line}; {load()}")
    again, report = timed("reimport", lambda: import_paths([files_dir], jobs=args.jobs, keep_outcomes=False))
    assert report.count("unchanged") == len(paths), report.summary_line()
    print(f"ratio reimport/parse = {again / parse:.2f}  (target < 1)")
    print(
        f"RSS before import {rss_before:.0f} MB; during import (writer + workers) "
        + ", ".join(f"{done}: {mb:.0f} + {workers:.0f} MB" for done, mb, workers in samples)
    )
    if database_url:
        connection.creation.destroy_test_db(named, verbosity=0)
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
