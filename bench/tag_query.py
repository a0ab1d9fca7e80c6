"""The tag page's query alone, before and after the links' copies (articles/tag_links.py), on one
database in one process, interleaved (bench/README.md, "Tag pages as one seek"):

    DATABASE_URL=sqlite:///var/tagbench/site_100000.sqlite3 python bench/tag_query.py

"before" is the query main ran: the tag's public articles through the join, in the articles'
order; "after" seeks the tag's links. Both load a first page (21 rows) as the list does. Prints
`RESULT {shape: [median ms, 90th percentile ms]}` over 34 tags picked as readers meet them."""

import json
import statistics
import time

import checkout

checkout.set_up()

from articles.models import Tag  # noqa: E402
from articles.tag_links import TagLink  # noqa: E402

TAGS, REPEAT, ROWS = 34, 5, 21
HEAVY = ("body", "body_html", "extra", "headings")
picked = checkout.tags_readers_meet(TAGS, seed=11, column="tag_id")
shapes = {
    "before": lambda tag: list(
        tag.articles.published().select_related("author").defer(*HEAVY).order_by("-published", "-pk")[:ROWS]
    ),
    "after": lambda tag: [
        link.article
        for link in TagLink.objects.filter(tag=tag)
        .published()
        .select_related("article__author")
        .defer(*(f"article__{field}" for field in HEAVY))
        .order_by("-published", "-article_id")[:ROWS]
    ],
}
per_tag = {name: [] for name in shapes}
for tag in Tag.objects.filter(pk__in=picked):
    times = {name: [] for name in shapes}
    for _ in range(REPEAT):
        for name, run in shapes.items():
            started = time.perf_counter()
            rows = run(tag)
            times[name].append((time.perf_counter() - started) * 1000)
    assert [a.pk for a in shapes["before"](tag)] == [a.pk for a in shapes["after"](tag)], tag.slug
    for name, found in times.items():
        per_tag[name].append(statistics.median(found))
result = {
    name: [round(statistics.median(found), 2), round(statistics.quantiles(found, n=10)[-1], 2)]
    for name, found in per_tag.items()
}
print("RESULT", json.dumps(result))
