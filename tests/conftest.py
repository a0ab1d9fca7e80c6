import csv
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

# Fixtures of the publish-event tests, kept in a module of their own.
pytest_plugins = ["tests.publish_fixtures"]

SEED_SLUG = "common-it-outsourcing-mistakes-to-avoid"
SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "seeds" / "000_1fed10c48dc6640d.txt"
CORPUS = Path(__file__).parent / "data" / "corpus"
# Every test user's password; the browser tests type it into the login form.
PASSWORD = "x-Long-Pass-123"


def manage(env, *args, check=True):
    """Run manage.py in a subprocess with the environment `env` (a site of its own: its database,
    its settings); returns the CompletedProcess, output captured."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def corpus_manifest():
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def pytest_sessionstart(session):
    """Say at the top of the run, not only in the skip summary at its end, that the browser tests
    cannot run here and how to make them run."""
    from .tooling import missing_browser_notice

    notice = missing_browser_notice()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if notice and reporter is not None:
        reporter.write_line(notice, yellow=True, bold=True)


def stored_files(folder):
    """The names of the files right in `folder` of the default storage (an in-memory storage that
    lives as long as the test run: compare with a count taken before, or look for unique names)."""
    from django.core.files.storage import default_storage

    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run in CI's PostgreSQL pass and SQLite-only ones in its SQLite pass;
    on the other database they are deselected, not skipped (under CI=true nothing is skipped)."""
    from django.db import connection

    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if other in item.keywords])
        items[:] = kept


@pytest.fixture(autouse=True)
def analyses(monkeypatch):
    """An import ANALYZEs the tables it grows (articles/table_statistics.py), and PostgreSQL writes a
    table's row estimate in place, outside the test's transaction: the plans later tests pin would be
    asked of analyzed tables (seen: the sitemap's and search's plan tests failed after the corpus
    import). So no test runs one; each gets, in this list, the article count at each call instead."""
    from articles import table_statistics
    from articles.models import Article

    counts = []
    monkeypatch.setattr(
        table_statistics, "analyze", lambda connection: counts.append(Article.objects.count())
    )
    return counts


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, no autovacuum on the test database's tables: when it analyzed a table that tests
    had filled and rolled back, the planner's idea of it changed in the middle of a run, and the
    tests that pin a query's plan (tests/query_plans.py) saw other plans than alone (seen in full
    runs). Their plans are asked of tables never analyzed, as after a migration."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = current_schema()"
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages and no page-cache state: the database rolls back between
    tests, a cache (Redis in CI) does not. Only this run's keys go (the key prefix), never a shared
    Redis database: there, cache.clear() is FLUSHDB, so no test calls it."""
    from django.core.cache import caches

    from articles.page_cache import pages

    for cache in caches.all():
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("*")
        else:
            cache.clear()
    pages.forget_process_memory()  # what this process kept of them


@pytest.fixture(autouse=True)
def _one_sitemap_document(monkeypatch):
    """Every article in the sitemap's first document, whatever its id: a test's site is small, but on
    PostgreSQL its ids are not (sequences are not rolled back between tests), and with documents of
    1,000 ids (articles/sitemaps.py) a test's articles could fall in any document, or two. Tests of
    the ranges themselves set SECTION_SIZE small (tests/test_sitemap.py)."""
    from articles import sitemaps

    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 10**9)


@pytest.fixture(autouse=True)
def _forget_api_use():
    """Which keys this process saw used in the last minute (content_api/access.py): key ids come
    again in the next test's rolled-back database. And the throttle's counts, which live outside
    the database and the cache."""
    from content_api import access, throttling

    access._noted.clear()
    throttling.forget_counts()


def _user(username, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)


@pytest.fixture
def superuser(db):
    return _user("boss", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    """Staff in the Editors group: what the newsroom's editors are."""
    from django.contrib.auth.models import Group

    from articles.roles import EDITORS_GROUP

    user = _user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def reader(db):
    """An account with no staff status and no permissions: a reader who can log in."""
    return _user("reader")


@pytest.fixture
def seed_article(db):
    from articles.models import Article

    call_command("import_seeds", stdout=StringIO())
    return Article.objects.select_related("author").get(slug=SEED_SLUG)


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """run_import(*args, stderr=None) runs import_seeds and returns (exit code, stdout lines).
    On-commit callbacks (stored images, page cache purges) run as a real commit would run them:
    the test's own transaction never commits. stderr (the progress output) goes to `stderr`."""

    def run(*args, stderr=None):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                call_command("import_seeds", *map(str, args), stdout=out, stderr=stderr or StringIO())
                code = 0
            except CommandError as err:
                code = err.returncode
        return code, out.getvalue().splitlines()

    return run


@pytest.fixture
def write_seed(tmp_path):
    """Write a seed file and return its path: write_seed("name.md", "---\\ntitle: x\\n---\\nbody")."""

    def write(name, content):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def laid_out_corpus(tmp_path):
    """Copy each corpus file to tmp/<corpus name>/<original name>; return {copy: corpus name}."""
    copies = {}
    for row in corpus_manifest():
        folder = tmp_path / row["file"].rsplit(".", 1)[0]
        folder.mkdir()
        copy = folder / Path(row["path_in_repo"]).name
        shutil.copyfile(CORPUS / row["file"], copy)
        copies[copy] = row["file"]
    return copies


@pytest.fixture
def small_site(db):
    """Five public articles A (oldest) to E (newest): Ann wrote A, B and C, Bob D and E; B and C are
    tagged Cats, D Dogs. Returns a namespace: `articles` by letter, `ann`, `bob`, `cats`, `dogs`, and
    `urls`, every public page of the site (each article, the lists, the feeds, the sitemap, a search)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from .factories import make_article, make_author, tag

    now = timezone.now()
    site = SimpleNamespace(ann=make_author(name="Ann", slug="ann"), bob=make_author(name="Bob", slug="bob"))
    site.articles = {
        letter: make_article(
            slug=f"article-{letter.lower()}",
            title=f"Title {letter}",
            author=site.ann if letter in "ABC" else site.bob,
            published=now - timedelta(days=5 - number),
        )
        for number, letter in enumerate("ABCDE")
    }
    tag(site.articles["B"], "Cats")
    tag(site.articles["C"], "Cats")
    tag(site.articles["D"], "Dogs")
    site.cats, site.dogs = (site.articles["B"].tags.get(), site.articles["D"].tags.get())
    lists = ["/blog/", "/blog/author/ann", "/blog/author/bob", "/blog/tag/cats", "/blog/tag/dogs"]
    site.urls = [
        *(article.get_absolute_url() for article in site.articles.values()),
        *lists,
        *(f"{path.rstrip('/')}/{feed}" for path in lists for feed in ("feed.xml", "atom.xml")),
        "/blog/feed.json",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-articles-1.xml",
        "/blog/search?q=Title",
    ]
    return site


@pytest.fixture
def wsgi_requests_keep_the_test_connection():
    """For tests that call the WSGI application itself (not the test client): Django's handler closes
    stale connections as each request starts and ends, and the test's transaction lives on one (on
    PostgreSQL, where connections persist, it was closed). Kept, as the test client keeps it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
