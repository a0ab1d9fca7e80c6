"""On PostgreSQL an import's savepoints cost one round trip each: a savepoint's release is held back
and sent with the next SAVEPOINT (articles/import_savepoints.py), and every savepoint still keeps
its promises: what a rollback undoes, the on-commit callbacks it drops, what it leaves."""

from contextlib import suppress

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.import_savepoints import releases_sent_with_next_savepoint
from articles.models import Article, Author

from .factories import make_author

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]


def _lone_releases(queries):
    return [
        query["sql"] for query in queries if query["sql"].startswith("RELEASE") and ";" not in query["sql"]
    ]


def test_savepoints_undo_and_keep_what_they_did_with_their_releases_held_back(
    django_capture_on_commit_callbacks,
):
    ran = []
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
        releases_sent_with_next_savepoint(connection),
    ):
        with transaction.atomic():
            make_author(name="First", slug="first")
        with suppress(IntegrityError), transaction.atomic():
            make_author(name="Undone", slug="undone")
            transaction.on_commit(lambda: ran.append("undone"))
            make_author(name="Clash", slug="first")  # refused: back to this savepoint only
        with transaction.atomic():
            make_author(name="Second", slug="second")
            transaction.on_commit(lambda: ran.append("second"))
            with transaction.atomic():
                make_author(name="Inside", slug="inside")
        with suppress(IntegrityError), transaction.atomic():
            with transaction.atomic():
                make_author(name="Released inside", slug="released-inside")
            make_author(name="Clash again", slug="second")  # undoes the one released inside it too
        # A rollback to a savepoint around a held release, with no release after it (atomic() always
        # releases after rolling back; the savepoint API need not).
        around = transaction.savepoint()
        with transaction.atomic():
            make_author(name="Rolled back", slug="rolled-back")
        transaction.savepoint_rollback(around)
        with transaction.atomic():
            make_author(name="Last", slug="last")
    assert sorted(Author.objects.values_list("slug", flat=True)) == ["first", "inside", "last", "second"]
    assert ran == ["second"]
    combined = [query["sql"] for query in queries if "; SAVEPOINT" in query["sql"]]
    assert len(combined) >= 4 and not _lone_releases(queries)
    # Past the block, a savepoint is released on its own again.
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        make_author(name="After", slug="after")
    assert len(_lone_releases(queries)) == 1


def test_an_import_sends_no_release_alone(run_import, write_seed, tmp_path):
    for number in range(5):
        write_seed(f"five/{number}.md", f"---\ntitle: T{number}\ntags: [Jam]\n---\nWords {number}.\n")
    write_seed("five/5.md", "---\ntitle: T0\nslug: t0\n---\nThe slug of another file.\n")
    with CaptureQueriesContext(connection) as queries:
        code, lines = run_import(tmp_path / "five")
    assert code == 1 and lines[-1].startswith("5 created, 0 updated, 0 unchanged, 0 skipped, 1 failed")
    assert Article.objects.count() == 5 and not _lone_releases(queries)
