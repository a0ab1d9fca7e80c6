"""Tag pages (first page, a deep `?before=` page) and tag feeds, timed in process (the test Client,
DEBUG off, no page cache), to compare two checkouts on one database one after the other
(bench/README.md, "Tag pages as one seek"):

    DATABASE_URL=sqlite:///var/tagbench/site_100000.sqlite3 python bench/tag_pages.py CHECKOUT LABEL

CHECKOUT is the code to time (this tree, or an unpacked `git archive` of another commit); the
database must have been migrated by the newer of the two. Tags are picked as readers meet them: a
random public article's tag (so most are popular, and the tail is long). Prints
`RESULT LABEL {page: [median ms, 90th percentile ms]}`.
"""

import json
import statistics
import sys
import time

import checkout

checkout.set_up(sys.argv[1])

from django.test import Client  # noqa: E402

TAGS = 34
ROUNDS = 3
slugs = checkout.tags_readers_meet(TAGS, seed=11)
reader = Client(headers={"X-Forwarded-Proto": "https"})


def deep_page(slug):
    """The tag page's own link to its next older page, followed four times (or as far as it goes)."""
    url = f"/blog/tag/{slug}"
    for _ in range(4):
        text = reader.get(url).content.decode()
        marker = 'rel="next" href="'
        if marker not in text:
            break
        url = f"/blog/tag/{slug}" + text.split(marker)[1].split('"')[0].replace("&amp;", "&")
    return url


pages = {
    "tag page": [f"/blog/tag/{slug}" for slug in slugs],
    "tag page 5 (?before=)": [deep_page(slug) for slug in slugs],
    "tag feed": [f"/blog/tag/{slug}/feed.xml" for slug in slugs],
}
times = {name: [] for name in pages}
for _ in range(ROUNDS):
    for name, urls in pages.items():
        for url in urls:
            started = time.perf_counter()
            response = reader.get(url)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
result = {
    name: [round(statistics.median(found), 1), round(statistics.quantiles(found, n=10)[-1], 1)]
    for name, found in times.items()
}
print("RESULT", sys.argv[2], json.dumps(result))
