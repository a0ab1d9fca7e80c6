"""An import with worker processes (--jobs 2) does what one with a single process does: the same
lines, the same rows, the same events, in the same order; unchanged files are not sent to a worker;
a file that kills its worker, or hangs it past IMPORT_FILE_TIMEOUT, fails with a line of its own, and
the rest are imported."""

import datetime as dt
import shutil
import socket
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import import_workers, importer
from articles.importer import _read, find_seed_files
from articles.models import Article, Author, Tag
from articles.redirects import Redirect
from publishing.models import Event

from .worker_faults import prepare_files_or_die, prepare_files_or_hang

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"
# Files the corpus lacks: a byte-identical copy, a slug taken twice, bad YAML, a date that is not one,
# an alias (a redirect), and enough plain ones for several chunks per worker.
EXTRA = {
    "copy/one.md": "---\ntitle: One\nslug: one\nauthor: Ann\ntags: [Jam]\n---\nBody one.\n",
    "copy/one-again.md": "---\ntitle: One\nslug: one\nauthor: Ann\ntags: [Jam]\n---\nBody one.\n",
    "taken/a.md": "---\ntitle: Taken\nslug: taken\n---\nA.\n",
    "taken/b.md": "---\ntitle: Taken too\nslug: taken\n---\nB.\n",
    "bad/yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
    "bad/date.md": "---\ntitle: Bad date\ndate: someday\n---\nbody\n",
    "moved.md": "---\ntitle: Moved\naliases: [/old/moved/]\ndate: 2024-02-03\n---\n# Moved\n\nText.\n",
    **{
        f"plain/{number:02}.md": f"---\ntitle: Plain {number}\nauthor: Bob\ntags: [Tea, T{number % 3}]\n"
        f"date: 2024-01-{number + 1:02}\n---\n## Part\n\nText {number}.\n\n```python\nx = {number}\n```\n"
        for number in range(20)
    },
}


@pytest.fixture
def tree(tmp_path, laid_out_corpus):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    for name, text in EXTRA.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _run(*args):
    out = StringIO()
    try:
        call_command("import_seeds", *map(str, args), stdout=out, stderr=StringIO())
        code = 0
    except CommandError as err:
        code = err.returncode
    # The summary's elapsed time differs from run to run.
    return code, [
        line.rsplit(" in ", 1)[0] if " failed in " in line else line for line in out.getvalue().splitlines()
    ]


def _rows(since):
    """Everything an import writes, without keys or times that differ between two runs."""

    def plain(value):
        return "(during the import)" if isinstance(value, dt.datetime) and value >= since else value

    skip = {"id", "author", "imported_at"}
    articles = [
        {
            **{
                f.attname: plain(getattr(a, f.attname))
                for f in Article._meta.concrete_fields
                if f.name not in skip
            },
            "author": a.author.slug if a.author else None,
            "tags": [t.slug for t in a.tags.order_by("slug")],
            "versions": a.history.count(),
        }
        for a in Article.objects.select_related("author").order_by("slug")
    ]
    return {
        "articles": articles,
        "authors": list(Author.objects.order_by("slug").values_list("slug", "name", "url")),
        "tags": list(Tag.objects.order_by("slug").values_list("slug", "name")),
        "redirects": list(Redirect.objects.order_by("old_path").values_list("old_path", "new_path")),
        "events": Counter(Event.objects.values_list("kind", flat=True)),
    }


def _import_twice(tree, jobs):
    """Import the tree, change some files, import it again; (lines of both runs, rows), rolled back."""
    with transaction.atomic():
        since = timezone.now()
        first = _run(tree, "--jobs", jobs)
        (tree / "plain/03.md").write_text("---\ntitle: Plain 3\nauthor: Bob\n---\nNew text.\n")
        (tree / "plain/04.md").write_text("---\ntitle: [broken\n---\n")
        second = _run(tree, "--jobs", jobs)
        rows = _rows(since)
        transaction.set_rollback(True)
    for name in ("plain/03.md", "plain/04.md"):
        (tree / name).write_text(EXTRA[name], encoding="utf-8")
    return first, second, rows


def test_two_jobs_import_what_one_does_line_by_line_and_row_by_row(db, tree):
    one = _import_twice(tree, 1)
    two = _import_twice(tree, 2)
    first, second, rows = one
    assert first[0] == 1 and Counter(line.split()[0] for line in first[1][:-1])["created"] > 60
    assert second[1][-1] == "0 created, 1 updated, 78 unchanged, 0 skipped, 9 failed"
    assert len(rows["articles"]) > 60 and rows["redirects"] and rows["events"]
    assert two == one


def test_a_file_met_before_is_not_sent_to_a_worker(db, tree, monkeypatch):
    files = find_seed_files([tree / "plain"])
    known = {_read(path)[1] for path in files[:10]}
    loaded = list(
        import_workers.read_ahead(files, read=_read, known_hashes=known, jobs=2, time_zone=settings.TIME_ZONE)
    )
    assert [file.path for file in loaded] == files
    assert [file.prepared is None for file in loaded] == [True] * 10 + [False] * 10
    assert all(file.prepared.seed.title.startswith("Plain") for file in loaded[10:])


@pytest.mark.slow
def test_a_file_that_kills_its_worker_fails_alone_and_the_others_are_imported(db, tree, monkeypatch):
    monkeypatch.setattr(import_workers, "prepare_files", prepare_files_or_die)
    # In the middle: files before it and after it are in flight when its worker dies.
    killer = tree / "plain" / "05-kills-its-worker.md"
    killer.write_text("---\ntitle: Killer\n---\nBody.\n")
    code, lines = _run(tree / "plain", "--jobs", "2")
    assert code == 1
    assert lines[5] == f"failed {killer} - {import_workers.WORKER_DIED}"
    assert lines[-1] == "20 created, 0 updated, 0 unchanged, 0 skipped, 1 failed"
    assert Article.objects.count() == 20


@pytest.mark.slow
def test_a_file_that_hangs_its_worker_fails_after_the_timeout_and_the_others_are_imported(
    db, tree, monkeypatch, settings
):
    monkeypatch.setattr(import_workers, "prepare_files", prepare_files_or_hang)
    settings.IMPORT_FILE_TIMEOUT = 3
    hung = tree / "plain" / "05-hangs-its-worker.md"
    hung.write_text("---\ntitle: Hung\n---\nBody.\n")
    code, lines = _run(tree / "plain", "--jobs", "2")
    assert code == 1
    assert lines[5] == f"failed {hung} - {import_workers.WORKER_TIMED_OUT.format(seconds=3)}"
    assert "took longer than 3 s to parse/render" in lines[5]
    assert lines[-1] == "20 created, 0 updated, 0 unchanged, 0 skipped, 1 failed"
    assert Article.objects.count() == 20
    assert not Article.objects.filter(title="Hung").exists()


def test_re_importing_an_unchanged_tree_starts_no_worker(db, tree, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(import_workers, "ProcessPoolExecutor", no_pool)
    files = find_seed_files([tree / "plain"])
    known = {_read(path)[1] for path in files}
    loaded = import_workers.read_ahead(
        files, read=_read, known_hashes=known, jobs=2, time_zone=settings.TIME_ZONE
    )
    assert [file.prepared for file in loaded] == [None] * len(files)


def _inserted_articles(queries):
    return [query["sql"] for query in queries if query["sql"].startswith('INSERT INTO "articles_article"')]


def _vectors_are_their_columns():
    """Whether each stored search vector is the one an UPDATE would make from the row's columns."""
    stored = dict(Article.objects.values_list("pk", "search_vector"))
    Article.objects.all().refresh_search_vector()
    return stored == dict(Article.objects.values_list("pk", "search_vector")) and None not in stored.values()


@pytest.mark.postgresql
def test_workers_make_the_search_vectors_and_the_inserts_take_them(db, tree):
    with CaptureQueriesContext(connection) as queries:
        code, lines = _run(tree / "plain", "--jobs", "2")
    assert (code, lines[-1]) == (0, "20 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
    inserts = _inserted_articles(queries)
    assert len(inserts) == 20 and not [sql for sql in inserts if "to_tsvector" in sql]
    assert _vectors_are_their_columns()


@pytest.mark.postgresql
def test_workers_that_cannot_reach_the_database_leave_the_vectors_to_the_inserts(db, tree, monkeypatch):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setattr(importer, "_search_database", lambda: {**connection.settings_dict, "PORT": port})
    with CaptureQueriesContext(connection) as queries:
        code, lines = _run(tree / "plain", "--jobs", "2")
    assert (code, lines[-1]) == (0, "20 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
    inserts = _inserted_articles(queries)
    assert len(inserts) == 20 and all("to_tsvector" in sql for sql in inserts)
    assert _vectors_are_their_columns()


def test_jobs_must_be_a_whole_number_of_at_least_one(db):
    with pytest.raises(CommandError, match=r"--jobs: expected a whole number of at least 1, found '0'"):
        call_command("import_seeds", "--jobs", "0", stdout=StringIO())


@pytest.mark.sqlite
def test_the_writer_has_a_larger_sqlite_page_cache_through_an_import_only(db, write_seed):
    from articles.importer import IMPORT_SQLITE_CACHE_KIB, import_paths

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    seen = []
    write_seed("a.md", "---\ntitle: A\n---\nbody")
    folder = write_seed("b.md", "---\ntitle: B\n---\nbody").parent
    import_paths([folder], jobs=1, on_progress=lambda done, total: seen.append(cache_size()))
    assert seen == [-IMPORT_SQLITE_CACHE_KIB] * 2
    assert cache_size() == before != -IMPORT_SQLITE_CACHE_KIB
