"""Search, admin search, tag and author pages, timed in process (the test Client, DEBUG off, no page
cache), to compare two checkouts on one database, one after the other (bench/README.md, "SQLite
search by an FTS5 index"):

    DATABASE_URL=sqlite:///var/bench-scale/sqlite_100000.sqlite3 \\
        python bench/search_bench.py CHECKOUT LABEL [RARE_TERMS]

CHECKOUT is the code to time (this tree, or an unpacked `git archive` of another commit); the
database must have been migrated by the newer of the two. Prints `RESULT LABEL {page: median ms}`.
"""

import json
import random
import statistics
import sys
import time

import checkout

checkout.set_up(sys.argv[1])

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article  # noqa: E402

REPEAT = 7
rng = random.Random(3)
public = list(Article.objects.published().order_by("pk").values_list("pk", "author__slug"))
picks = rng.sample(public, REPEAT)
links = Article.tags.through.objects
tags = [
    rng.choice(sorted(links.filter(article_id=pk).values_list("tag__slug", flat=True))) for pk, _ in picks
]
reader = Client(headers={"X-Forwarded-Proto": "https"})
editor = Client(headers={"X-Forwarded-Proto": "https"})
user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True}
)
editor.force_login(user)
rare = sys.argv[3] if len(sys.argv) > 3 else "idempotency+deduplication+ordering+jitter+backoff"
pages = {
    "search data system": (reader, ["/blog/search?q=data+system"]),
    "search kernel": (reader, ["/blog/search?q=kernel"]),
    f"search {rare}": (reader, [f"/blog/search?q={rare}"]),
    "search zebra (none)": (reader, ["/blog/search?q=zebra"]),
    "admin search data system": (editor, ["/admin/articles/article/?q=data+system"]),
    "admin search zebra (none)": (editor, ["/admin/articles/article/?q=zebra"]),
    "tag page": (reader, [f"/blog/tag/{slug}" for slug in tags]),
    "author page": (reader, [f"/blog/author/{slug}" for _, slug in picks if slug]),
}
medians = {}
for name, (client, paths) in pages.items():
    if client.get(paths[0]).status_code != 200:  # untimed: warms templates and plans
        raise SystemExit(f"{paths[0]} did not answer 200")
    timings = []
    for number in range(REPEAT):
        started = time.perf_counter()
        client.get(paths[number % len(paths)])
        timings.append((time.perf_counter() - started) * 1000)
    medians[name] = round(statistics.median(timings), 1)
print("RESULT", sys.argv[2], json.dumps(medians))
