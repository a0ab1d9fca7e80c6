"""The edge is never stale for long: gunicorn, the publish worker and varnishd with the shipped VCL,
on PostgreSQL. After each kind of change the page read through Varnish shows the new state within
1 s of the change's commit (the command or request that made it has returned), having been a cache
hit before; drafts and previews never enter the edge cache; a scheduled publish or expiry shows at
the edge within 2 s of its time with no request in between, so only the worker can have acted.

The admin save is a real one: the admin form POSTed through Varnish with a logged-in session, as
a browser does. The other changes are made where they happen in production (a delete, an unpublish
and a slug change through the ORM in `manage.py shell`, an import by `manage.py import_seeds`),
each in its own process on the site's database, as another server would."""

import json
import re
import shutil
import time
from urllib.parse import urlencode

import pytest

from ..conftest import PASSWORD, SEED_FILE, SEED_SLUG
from .conftest import http, wait_for

pytestmark = pytest.mark.faults

ARTICLES = ["saved", "deleted", "unpublished", "renamed"]
SETUP = f"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone
from articles.models import Article
with transaction.atomic():
    for days, slug in enumerate({ARTICLES!r}, 1):
        Article.objects.create(
            title=f"Title of {{slug}}", slug=slug, body=f"Body of {{slug}}.",
            published=timezone.now() - timedelta(days=days),
        )
user = get_user_model().objects.create_superuser("chief", "chief@example.com", {PASSWORD!r})
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""
FORM = """
import json
from articles.models import Article
from tests.factories import admin_form_data
article = Article.objects.get(slug={slug!r})
data = admin_form_data(article, **{changes!r})
data["tags"] = [tag.pk for tag in article.tags.all()]
print(article.pk, json.dumps(data))
"""
CHANGE = """
from django.db import transaction
from articles.models import Article, Status
with transaction.atomic():
    article = Article.objects.get(slug={slug!r})
    {statement}
"""


@pytest.fixture
def edge_site(site, main_postgres_database, tmp_path):
    """A site behind Varnish with ARTICLES, the seed article imported from a file of its own
    (.seed_file), and a staff session (.session)."""
    made = site(main_postgres_database)
    made.seed_file = tmp_path / SEED_FILE.name
    shutil.copy(SEED_FILE, made.seed_file)
    made.manage("import_seeds", str(made.seed_file))
    made.session = made.shell(SETUP)
    made.start_web()
    made.start_worker()
    return made


def cached(site, path):
    """Read `path` through the edge until it is answered from the cache; its body."""
    answer = wait_for(
        lambda: read_if(site.edge + path, lambda s, headers, b: headers.get("X-Cache") == "HIT"), 5
    )
    assert answer, f"{path} is not kept by the edge: {http(site.edge + path)[1]}"
    return answer[2]


def read_if(url, expected):
    """The answer to one read of `url` when expected(status, headers, body), else None."""
    answer = http(url)
    return answer if expected(*answer) else None


def shows_within(site, path, expected, seconds, since=None):
    """Poll `path` through the edge until expected(status, headers, body), failing once `seconds`
    have passed since `since` (a time.monotonic() reading; default now)."""
    since = time.monotonic() if since is None else since
    answer = wait_for(
        lambda: read_if(site.edge + path, expected), since + seconds + 0.5 - time.monotonic(), step=0.02
    )
    took = time.monotonic() - since
    assert answer and took <= seconds, f"{path}: still stale {took:.2f} s after the change"


def admin_save(site, slug, **changes):
    """POST the article's admin form through the edge with the staff session, as a browser does."""
    pk, data = site.shell(FORM.format(slug=slug, changes=changes)).split(" ", 1)
    url = f"{site.edge}/admin/articles/article/{pk}/change/"
    status, headers, body = http(url, {"Cookie": f"sessionid={site.session}"})
    assert status == 200, body[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
    csrf = next(c for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    status, _, body = http(
        url,
        {
            "Cookie": f"sessionid={site.session}; {csrf.split(';')[0]}",
            "Origin": site.edge.replace("http:", "https:"),
            "Referer": url.replace("http:", "https:"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urlencode({**json.loads(data), "csrfmiddlewaretoken": token}, doseq=True).encode(),
    )
    assert status == 302, body[:2000]


def change(site, slug, statement):
    site.shell(CHANGE.format(slug=slug, statement=statement))


def test_every_kind_of_change_reaches_the_edge_within_1_s(edge_site):
    site = edge_site
    assert "Title of saved" in cached(site, "/blog/saved") and "Title of saved" in cached(site, "/blog/")
    admin_save(site, "saved", title="Saved again")
    committed = time.monotonic()
    shows_within(site, "/blog/saved", lambda s, h, body: "Saved again" in body, 1, committed)
    shows_within(site, "/blog/", lambda s, h, body: "Saved again" in body, 1, committed)

    assert "Title of deleted" in cached(site, "/blog/deleted")
    change(site, "deleted", "article.delete()")
    shows_within(site, "/blog/deleted", lambda status, h, b: status == 404, 1)

    assert "Title of unpublished" in cached(site, "/blog/unpublished") and "Title of unpublished" in cached(
        site, "/blog/"
    )
    change(site, "unpublished", "article.status = Status.DRAFT; article.save()")
    committed = time.monotonic()
    shows_within(site, "/blog/unpublished", lambda status, h, b: status == 404, 1, committed)
    shows_within(site, "/blog/", lambda s, h, body: "Title of unpublished" not in body, 1, committed)

    assert "Title of renamed" in cached(site, "/blog/renamed")
    change(site, "renamed", "article.slug = 'renamed-again'; article.save()")
    shows_within(site, "/blog/renamed", lambda status, h, b: status == 301, 1)
    assert http(site.edge + "/blog/renamed")[1]["Location"].endswith("/blog/renamed-again")
    assert "Title of renamed" in http(site.edge + "/blog/renamed-again")[2]

    cached(site, f"/blog/{SEED_SLUG}")
    text = site.seed_file.read_text(encoding="utf-8")
    site.seed_file.write_text(text + "\n\nA sentence the import adds.\n", encoding="utf-8")
    site.manage("import_seeds", str(site.seed_file))
    shows_within(site, f"/blog/{SEED_SLUG}", lambda s, h, body: "A sentence the import adds." in body, 1)


def test_drafts_and_previews_never_enter_the_edge(edge_site):
    site = edge_site
    change(site, "saved", "article.status = Status.DRAFT; article.save()")
    staff = {"Cookie": f"sessionid={site.session}"}
    for _ in range(2):
        status, headers, body = http(site.edge + "/blog/saved", staff)
        assert (status, headers["X-Cache"], "Preview: not public" in body) == (200, "PASS", True)
    for _ in range(2):
        status, headers, body = http(site.edge + "/blog/saved")
        assert status == 404 and headers["X-Cache"] != "HIT" and "Title of saved" not in body
    # Published again, it shows at once: no "not found" was kept.
    change(site, "saved", "article.status = Status.PUBLISHED; article.save()")
    shows_within(site, "/blog/saved", lambda status, h, b: status == 200, 1)


SCHEDULE = """
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from articles.models import Article
at = timezone.now() + timedelta(seconds={seconds})
with transaction.atomic():
    Article.objects.create(title="Title of {slug}", slug="{slug}", body="Body.", {field}=at,
                           **({{}} if "{field}" == "published" else {{"published": timezone.now()}}))
print(at.timestamp())
"""


def test_scheduled_publish_and_expiry_reach_the_edge_within_2_s_of_their_time(edge_site):
    site = edge_site
    expires_at = float(site.shell(SCHEDULE.format(slug="expiring", field="expires", seconds=12)))
    assert "Title of expiring" in cached(site, "/blog/expiring")
    assert "Title of expiring" in cached(site, "/blog/")
    publishes_at = float(site.shell(SCHEDULE.format(slug="scheduled", field="published", seconds=4)))
    assert "Title of scheduled" not in cached(site, "/blog/")  # kept while the schedule is set

    # No request until the time: only the worker can make the edge show the change.
    time.sleep(max(0.0, publishes_at - time.time()))
    shows_within(
        site, "/blog/", lambda s, h, body: "Title of scheduled" in body, publishes_at + 2 - time.time()
    )
    assert http(site.edge + "/blog/scheduled")[0] == 200
    time.sleep(max(0.0, expires_at - time.time()))
    due = time.monotonic() + expires_at - time.time()
    shows_within(site, "/blog/expiring", lambda status, h, b: status == 404, 2, due)
    assert "Title of expiring" not in http(site.edge + "/blog/")[2]
