"""The admin's article pages, uncached, timed in one process with Django's test Client (issue 11).

Run against a built site (bench/README.md, "Admin at 100,000 articles"): DATABASE_URL and the
usual settings in the environment, then

    python bench/admin_bench.py [--repeat 7]

Prints, per page, the median milliseconds of `--repeat` requests and the queries one request ran.
The session of a superuser it makes (`bench-admin`) is the only thing it writes.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Tag  # noqa: E402

LIST = "/admin/articles/article/"


def pages():
    """(name, address) of the pages an editor opens, on whatever site the database holds."""
    newest = Article.objects.order_by("-published", "-pk").exclude(published=None).first()
    busiest_tag = Tag.objects.order_by("pk").first()  # synthetic tags are created most used first
    year = newest.published.year - 1
    last_page = max(1, (Article.objects.count() + 99) // 100)
    return [
        ("change list", LIST),
        ("search, common word", f"{LIST}?q=data"),
        ("search, rare word", f"{LIST}?q=ordering"),
        ("search, slug prefix", f"{LIST}?q={newest.slug[:12]}"),
        ("date hierarchy: a year", f"{LIST}?published__year={year}"),
        ("date hierarchy: a month", f"{LIST}?published__year={year}&published__month=6"),
        ("filter: drafts", f"{LIST}?status__exact=draft"),
        ("filter: a tag", f"{LIST}?tags__id__exact={busiest_tag.pk}"),
        ("last page", f"{LIST}?p={last_page}"),
        ("change form", f"{LIST}{newest.pk}/change/"),
        (
            "tag autocomplete",
            "/admin/autocomplete/?app_label=articles&model_name=article&field_name=tags&term=da",
        ),
    ]


def measure(client, address, repeat):
    client.get(address)  # warm: templates, the connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(address)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (address, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(address)
    return statistics.median(times), len(captured.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    count = Article.objects.count()
    print(f"{connection.vendor}, {count:,} articles")
    for name, address in pages():
        ms, queries = measure(client, address, args.repeat)
        print(f"{name:28} {ms:8.1f} ms {queries:3} queries")


if __name__ == "__main__":
    main()
