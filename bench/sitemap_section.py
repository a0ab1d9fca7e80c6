"""One sitemap document of articles, uncached, timed today against an earlier commit in one run.

    python bench/sitemap_section.py --database URL [--base-database URL] [--base main]
                                    [--number 1] [--repeat 3] [--section-size 50000] [--profile]

On a site bench/scale.py built and kept (`--keep`: var/bench-scale/). Each render is a process of
its own, with the settings bench/scale.py gives its sites: it renders the document once untimed,
then once timed, calling the view directly (under the page cache, so the document is rendered). The
base commit's articles/sitemaps.py is loaded from git in place of today's; --base-database is the
same site without today's migrations (a copy made before `migrate`), as the base would run. Renders
alternate (base, today, base, today...), so the ratio holds whatever the machine's load, and every
render's bytes must be the same. Documents hold --section-size article ids (default 50,000, the
protocol's limit, which issue 11's 1 s is for; the site's own documents hold 1,000). --profile
prints cProfile's top functions of one of today's renders instead.
"""

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "cms.settings",
    "DJANGO_SECRET_KEY": "bench-not-secret",
    "DJANGO_DEBUG": "0",
    "CACHE_URL": "locmemcache://",
    "DJANGO_ALLOWED_HOSTS": "testserver",
}


def base_module(commit):
    """articles/sitemaps.py as it was at `commit`, imported as articles.sitemaps."""
    import importlib.util

    source = subprocess.run(
        ["git", "show", f"{commit}:articles/sitemaps.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = importlib.util.module_from_spec(
        importlib.util.spec_from_loader("articles.sitemaps", loader=None)
    )
    module.__package__ = "articles"
    exec(compile(source, f"{commit}:articles/sitemaps.py", "exec"), module.__dict__)
    return module


def render(view, number):
    from django.test import RequestFactory

    request = RequestFactory().get(f"/sitemap-articles-{number}.xml")
    started = time.perf_counter()
    body = view(request, number).content
    return (time.perf_counter() - started) * 1000, body


def worker(args):
    """In the process of one render: print RESULT {ms, digest, urls, bytes}."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from articles import sitemaps

    module = base_module(args.worker_base) if args.worker_base else sitemaps
    module.SECTION_SIZE = args.section_size
    view = module.articles
    render(view, args.number)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(render, view, args.number)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    ms, body = render(view, args.number)
    digest = hashlib.sha256(body).hexdigest()[:16]
    print(
        "RESULT " + json.dumps({"ms": ms, "digest": digest, "urls": body.count(b"<url>"), "bytes": len(body)})
    )


def run(database, number, section_size, base=None, profile=False):
    command = [sys.executable, __file__, "--database", database, "--number", str(number)]
    command += ["--section-size", str(section_size)]
    command += ["--worker-base", base] if base else ["--worker-today"]
    if profile:
        command.append("--profile")
    env = {**os.environ, **SETTINGS, "DATABASE_URL": database}
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    if profile:
        print(done.stdout)
        return None
    return json.loads(done.stdout.splitlines()[-1].removeprefix("RESULT "))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="DATABASE_URL of the site as today's code runs it")
    parser.add_argument(
        "--base-database", help="DATABASE_URL of the site as the base runs it (default: --database)"
    )
    parser.add_argument("--base", default="main", help="the commit to compare with (default main)")
    parser.add_argument("--number", type=int, default=1, help="the document (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="timed renders of each (default 3)")
    parser.add_argument(
        "--section-size", type=int, default=50_000, help="article ids a document holds (default 50,000)"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--worker-base", help=argparse.SUPPRESS)
    parser.add_argument("--worker-today", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_base or args.worker_today:
        return worker(args)
    if args.profile:
        return run(args.database, args.number, args.section_size, profile=True)

    timings, digests = {"base": [], "today": []}, set()
    for _ in range(args.repeat):
        for name, database, base in [
            ("base", args.base_database or args.database, args.base),
            ("today", args.database, None),
        ]:
            result = run(database, args.number, args.section_size, base)
            timings[name].append(result["ms"])
            digests.add(result["digest"])
    load = Path("/proc/loadavg").read_text().split()[:3]
    before, after = statistics.median(timings["base"]), statistics.median(timings["today"])
    print(f"document {args.number}: {result['urls']} URLs, {result['bytes'] / 1e6:.1f} MB")
    print("the same bytes in every render" if len(digests) == 1 else f"DIFFERENT bytes: {sorted(digests)}")
    print(f"base ({args.base}) ms: {[round(ms) for ms in timings['base']]}, median {before:.0f}")
    print(f"today ms: {[round(ms) for ms in timings['today']]}, median {after:.0f}")
    print(f"ratio today/base {after / before:.2f}; load average after: {' '.join(load)}")


if __name__ == "__main__":
    main()
