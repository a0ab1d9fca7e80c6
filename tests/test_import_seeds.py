"""import_seeds through call_command: the lines it prints, its exit codes and the rows it writes."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, Author, Status

from .conftest import SEED_FILE, SEED_SLUG
from .html import active_content, parse

UTC = dt.UTC


def test_seed_imports_exactly(db, run_import):
    code, lines = run_import()
    assert code == 0
    assert lines[0].startswith(f"created {SEED_FILE} {SEED_SLUG} ")
    assert lines[-1].startswith("1 created, 0 updated, 0 unchanged, 0 skipped, 0 failed in ")
    article = Article.objects.get(slug=SEED_SLUG)
    assert article.title == "Common IT Outsourcing Mistakes to Avoid"
    assert article.author.name == "INNOMIZE"
    assert article.created == dt.datetime(2023, 12, 15, tzinfo=UTC)
    assert article.published == dt.datetime(2023, 12, 29, tzinfo=UTC)
    assert article.updated == article.published
    assert article.excerpt == (
        "Discover the key IT outsourcing mistakes to avoid for a successful partnership. From assessing "
        "needs and choosing the right partner to setting clear expectations and managing projects "
        "effectively, nav"
    )
    assert article.locale == "en"
    assert article.source_url == "https://innomizetech.com/blog/common-it-outsourcing-mistakes-to-avoid"
    assert (article.source, article.source_id) == ("innomize-cms", "54")
    assert article.status == Status.PUBLISHED
    assert article.extra == {"type": "article"}  # keys we do not model are kept
    # The stored body is the Markdown exactly as in the file, after the front matter.
    raw = SEED_FILE.read_text(encoding="utf-8")
    assert article.body == raw.split("---\n", 2)[2]
    assert article.body.startswith("\n# Common IT Outsourcing Mistakes to Avoid")
    assert "<h1" not in article.body_html
    assert article.imported_at is not None and article.edited_at is None


def test_reimport_is_a_no_op(db, run_import):
    run_import()
    before = Article.objects.values().get(slug=SEED_SLUG)
    code, lines = run_import()
    assert code == 0
    assert lines[0] == f"unchanged {SEED_FILE} {SEED_SLUG}"
    assert lines[-1].startswith("0 created, 0 updated, 1 unchanged, 0 skipped, 0 failed")
    assert Article.objects.values().get(slug=SEED_SLUG) == before
    assert Author.objects.count() == 1


def test_edited_file_updates_article_and_moves_updated(db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: First\nslug: a\nauthor: Ann\ndate: 2024-01-02\n---\nOld body\n")
    run_import(path)
    article = Article.objects.get(slug="a")
    assert article.updated == dt.datetime(2024, 1, 2, tzinfo=UTC)
    path.write_text("---\ntitle: First\nslug: a\nauthor: Ann\ndate: 2024-01-02\n---\nNew body\n")
    code, lines = run_import(path)
    assert code == 0
    assert lines[0] == f"updated {path} a body"
    article.refresh_from_db()
    assert article.body == "New body\n"
    assert "New body" in article.body_html
    assert article.updated > dt.datetime(2024, 1, 2, tzinfo=UTC)
    assert Author.objects.count() == 1


def test_file_lastmod_is_the_updated_date(db, write_seed, run_import):
    path = write_seed(
        "a.md", "---\ntitle: T\nslug: a\ndate: 2024-01-02\nlastmod: 2024-03-04T05:06:07+02:00\n---\nx\n"
    )
    run_import(path)
    assert Article.objects.get(slug="a").updated == dt.datetime(2024, 3, 4, 3, 6, 7, tzinfo=UTC)


def test_whitespace_only_change_is_unchanged(db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: T\nslug: a\n---\nBody\n")
    run_import(path)
    path.write_text("---\ntitle:   T\nslug: a\n\n---\nBody\n")
    _code, lines = run_import(path)
    assert lines[0] == f"unchanged {path} a"


def test_authors_are_reused_not_duplicated(db, write_seed, run_import):
    write_seed("a.md", "---\ntitle: A\nauthor: INNOMIZE\n---\nx")
    write_seed("b.md", "---\ntitle: B\nauthor: INNOMIZE\n---\ny")
    code, _ = run_import(
        write_seed("c.md", "---\ntitle: C\nauthor: {name: INNOMIZE, url: 'https://i.example'}\n---\nz").parent
    )
    assert code == 0
    assert Author.objects.count() == 1
    assert Author.objects.get().url == "https://i.example"


def test_source_id_identifies_article_across_slug_change(db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: T\nslug: old\nsource: cms\nsource_id: 7\n---\nx")
    run_import(path)
    path.write_text("---\ntitle: T\nslug: new\nsource: cms\nsource_id: 7\n---\nx")
    code, lines = run_import(path)
    assert code == 0 and lines[0] == f"updated {path} new slug"
    assert list(Article.objects.values_list("slug", flat=True)) == ["new"]


@pytest.mark.parametrize(
    ("content", "field_message"),
    [
        ("---\nslug: x\n---\nbody", "title is missing"),
        ('---\ntitle: "   \\t  "\n---\nbody', "title is missing"),
        ("---\ntitle: T\nauthor: {name: '  '}\n---\nbody", "author: name is missing"),
        ("---\ntitle: [a, b]\n---\nbody", "title: expected text, found a list"),
        ("---\ntitle: T\npublished: yesterday\n---\nbody", "published: 'yesterday' is not a date"),
        ("---\ntitle: T\ndate: 2023-02-30\n---\nbody", "date: '2023-02-30' is not a date"),
        (
            "---\ntitle: T\ncreated: 2023-13-01T10:00:00\n---\nbody",
            "created: '2023-13-01T10:00:00' is not a date",
        ),
        ("---\ntitle: [unclosed\n---\nbody", "front matter is not valid YAML"),
        ("---\n- a\n- b\n---\nbody", "front matter is not a mapping"),
        ("---\ntitle: T\nstatus: archived\n---\nbody", "status: 'archived' is not one of"),
        (
            "---\ntitle: T\nslug: 'no spaces allowed'\n---\nbody",
            "slug: 'no spaces allowed' is not a valid slug",
        ),
        ("---\ntitle: T\nslug: " + "x" * 201 + "\n---\nbody", "slug: 201 characters"),
        ("---\ntitle: T\nslug: search\n---\nbody", "slug: 'search' is a path the site uses itself"),
        ("---\ntitle: T\ndraft: maybe\n---\nbody", "draft: expected true or false"),
        ("---\ntitle: T\nlocale: 'en US!'\n---\nbody", "locale: 'en US!' is not a language tag"),
        ("Just Markdown, no front matter.\n", "no front matter"),
        ("---\ntitle: T\nbody without closing", "front matter has no closing --- line"),
        ("---\n---\nbody", "front matter is empty: title is missing"),
        ("---\nbase: &a [1]\ntitle: *a\n---\nx", "front matter uses YAML anchors or aliases"),
        ("+++\ntitle = \n+++\nbody", "front matter is not valid TOML"),
        ('{"title": "T",}\nbody', "front matter is not valid JSON"),
        ("---js\nconst title = 'x'\n---\nbody", "front matter is not YAML, TOML or JSON"),
        ("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\nx", "front matter is not valid YAML"),
        ("", "file is empty"),
    ],
)
def test_bad_file_fails_cleanly_naming_the_field(db, write_seed, content, field_message, run_import):
    path = write_seed("bad.md", content)
    code, lines = run_import(path)
    assert code == 1
    assert lines[0].startswith(f"failed {path} ")
    assert field_message in lines[0]
    assert "Traceback" not in "\n".join(lines)
    assert Article.objects.count() == 0 and Author.objects.count() == 0


def test_not_utf8_fails(db, write_seed, run_import):
    path = write_seed("latin1.md", "---\ntitle: Café\n---\nbody".encode("latin-1"))
    code, lines = run_import(path)
    assert code == 1 and lines[0].startswith(f"failed {path} - not UTF-8")


def test_binary_file_fails(db, write_seed, run_import):
    path = write_seed("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, lines = run_import(path)
    assert code == 1 and "not a text file" in lines[0]


def test_bad_file_does_not_stop_the_others(db, write_seed, run_import):
    write_seed("a.md", "---\ntitle: Good one\n---\nx")
    write_seed("b.md", "---\ntitle: [broken\n---\nx")
    write_seed("c.md", "---\ntitle: Good two\n---\ny")
    code, lines = run_import(write_seed("notes.json", "{}").parent)
    assert code == 1
    assert [line.split()[0] for line in lines] == ["created", "failed", "created", "2"]
    assert set(Article.objects.values_list("slug", flat=True)) == {"good-one", "good-two"}


def test_a_failed_file_leaves_no_rows(db, write_seed, run_import):
    # The file's new slug is found taken only after its new author was made: the file's savepoint
    # must undo the author too (a clash within one run is found earlier, before any row).
    path = write_seed("a.md", "---\ntitle: One\nslug: one\nsource: s\nsource_id: 1\n---\nx")
    run_import(write_seed("b.md", "---\ntitle: Two\nslug: two\n---\ny").parent)
    path.write_text("---\ntitle: One\nslug: two\nauthor: Nobody Else\nsource: s\nsource_id: 1\n---\nx")
    code, lines = run_import(path)
    assert code == 1
    assert lines[0] == f"failed {path} two slug: 'two' is already used by another article (/blog/two)"
    assert not Author.objects.filter(name="Nobody Else").exists()
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["one", "two"]


def test_two_files_claiming_one_slug_first_wins(db, write_seed, run_import):
    first = write_seed("a.md", "---\ntitle: First\nslug: same\n---\nx")
    second = write_seed("b.md", "---\ntitle: Second\nslug: same\n---\ny")
    code, lines = run_import(first.parent)
    assert code == 1
    assert lines[1] == f"failed {second} same slug: 'same' is already taken by {first} in this import"
    assert Article.objects.get().title == "First"


@pytest.mark.parametrize("imported_before", [False, True])
def test_a_byte_identical_copy_is_a_second_claim_on_the_slug_not_unchanged(
    db, write_seed, run_import, imported_before
):
    text = "---\ntitle: Twin\nslug: twin\n---\nSame bytes."
    first = write_seed("a/1.md", text)
    if imported_before:  # its bytes are then an article's before the run, else written by it
        run_import(first)
    copy = write_seed("a/2.md", text)
    code, lines = run_import(first.parent)
    assert code == 1
    assert lines[0].split()[0] == ("unchanged" if imported_before else "created")
    assert lines[1] == f"failed {copy} twin slug: 'twin' is already taken by {first} in this import"
    assert Article.objects.get().slug == "twin"


def test_missing_path_exits_2(db):
    with pytest.raises(CommandError) as err:
        call_command("import_seeds", "/no/such/path", stdout=StringIO())
    assert err.value.returncode == 2
    assert "/no/such/path" in str(err.value)


def test_dry_run_writes_nothing_and_reports_the_same(db, run_import):
    code, lines = run_import("--dry-run")
    assert code == 0
    assert lines[0] == "dry run: nothing written"
    assert lines[1].startswith(f"created {SEED_FILE} {SEED_SLUG}")
    assert lines[-1].startswith("1 created")
    assert Article.objects.count() == 0 and Author.objects.count() == 0


def test_strict_is_all_or_nothing(db, write_seed, run_import):
    write_seed("a.md", "---\ntitle: Good\n---\nx")
    path = write_seed("b.md", "---\ntitle: [broken\n---\nx")
    code, _lines = run_import("--strict", path.parent)
    assert code == 1
    assert Article.objects.count() == 0


def test_admin_edit_is_not_overwritten_without_force(db, write_seed, run_import):
    from django.utils import timezone

    path = write_seed("a.md", "---\ntitle: T\nslug: a\n---\nOriginal\n")
    run_import(path)
    article = Article.objects.get()
    article.body, article.edited_at = "Edited in admin\n", timezone.now()
    article.save()
    path.write_text("---\ntitle: T\nslug: a\n---\nChanged file\n")
    code, lines = run_import(path)
    assert code == 0
    assert lines[0].startswith(f"skipped {path} a conflict: edited in the admin")
    assert "body" in lines[0]
    assert Article.objects.get().body == "Edited in admin\n"
    code, lines = run_import("--force", path)
    assert lines[0] == f"updated {path} a body"
    assert Article.objects.get().body == "Changed file\n"


def test_status_and_dates_table(db, write_seed, run_import):
    write_seed("1.md", "---\ntitle: Live\nstatus: live\ndate: 2024-01-01\n---\nx")
    write_seed("2.md", "---\ntitle: Private\nstatus: private\ndate: 2024-01-01\n---\nx")
    write_seed("3.md", "---\ntitle: Devto draft\npublished: false\n---\nx")
    write_seed("4.md", "---\ntitle: Devto live\npublished: true\ncreated: 2024-02-03\n---\nx")
    write_seed("5.md", "---\ntitle: Hugo draft\ndraft: true\ndate: 2024-01-01\n---\nx")
    write_seed("6.md", "---\ntitle: Offset\ndate: 2019-03-04 10:00:00 -0500\n---\nx")
    path = write_seed("7.md", "---\ntitle: No date\n---\nx")
    code, _lines = run_import(path.parent)
    assert code == 0
    got = {a.title: a for a in Article.objects.all()}
    assert got["Live"].status == Status.PUBLISHED
    assert got["Private"].status == Status.DRAFT
    assert got["Devto draft"].status == Status.DRAFT and got["Devto draft"].published is None
    assert got["Devto live"].published == dt.datetime(2024, 2, 3, tzinfo=UTC)
    assert got["Hugo draft"].status == Status.DRAFT
    assert got["Offset"].published == dt.datetime(2019, 3, 4, 15, 0, tzinfo=UTC)
    assert got["No date"].published == got["No date"].imported_at


def test_naive_datetime_is_read_in_time_zone_with_a_warning(db, write_seed, settings, run_import):
    settings.TIME_ZONE = "America/New_York"
    path = write_seed("a.md", "---\ntitle: T\ndate: 2024-01-02T10:00:00\n---\nx")
    code, lines = run_import(path)
    assert code == 0
    assert (
        lines[1] == f"warning {path} date: '2024-01-02T10:00:00' has no time zone; read as America/New_York"
    )
    assert Article.objects.get().published == dt.datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def test_hostile_front_matter_is_stored_as_text_and_rendered_inert(client, db, write_seed, run_import):
    write_seed(
        "x.md",
        '---\ntitle: "<script>alert(1)</script>"\nslug: x\n'
        'excerpt: "\\"><img src=x onerror=alert(1)>"\nauthor: "<b onmouseover=x>Eve</b>"\n'
        'url: "javascript:alert(1)"\ncanonical_url: "javascript:alert(2)"\n---\n'
        "# Hi\n<img src=x onerror=alert(3)>\n[a](javascript:alert(4))\n",
    )
    code, _ = run_import(write_seed("y.md", "---\ntitle: Other\n---\nx").parent)
    response = client.get("/blog/x")
    assert code == 0 and response.status_code == 200
    html = response.content.decode()
    assert active_content(html) == []
    # The title is shown as the text it is, not as markup.
    assert parse(html).texts["h1"] == ["<script>alert(1)</script>"]


def test_dry_run_lists_the_fields_that_would_change(db, write_seed, run_import):
    path = write_seed("a.md", "---\ntitle: Old title\nslug: a\n---\nOld body\n")
    run_import(path)
    path.write_text("---\ntitle: New title\nslug: a\n---\nNew body\nmore\n")
    _code, lines = run_import("--dry-run", path)
    assert lines[1] == f"updated {path} a title, body"
    assert lines[2] == f"change {path} title: 'Old title' -> 'New title'"
    assert lines[3].startswith(f"change {path} body: 'sha256:") and "(2 lines)" in lines[3]
    assert Article.objects.get().title == "Old title"


def test_json_format_is_one_document_on_stdout(db, write_seed):
    import json

    good = write_seed("a.md", "---\ntitle: Good\ndate: 2024-01-02T03:04:05\n---\nx")
    write_seed("b.md", "---\ntitle: ok\nbad: [unclosed\n---\nx")
    out = StringIO()
    with pytest.raises(CommandError) as err:
        call_command("import_seeds", "--dry-run", "--format", "json", str(good.parent), stdout=out)
    assert err.value.returncode == 1
    document = json.loads(out.getvalue())
    first, second = document["files"]
    assert first["path"] == str(good) and first["outcome"] == "created" and first["slug"] == "good"
    assert first["warnings"] == ["date: '2024-01-02T03:04:05' has no time zone; read as UTC"]
    assert first["error"] is None
    assert second["outcome"] == "failed" and second["slug"] is None
    assert second["error"]["line"] == 4 and "not valid YAML" in second["error"]["message"]
    assert document["summary"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 1,
        "elapsed_seconds": document["summary"]["elapsed_seconds"],
        "dry_run": True,
    }
    assert Article.objects.count() == 0


def test_an_unexpected_error_fails_one_file_without_a_traceback(db, write_seed, monkeypatch, run_import):
    from articles.models import Article as ArticleModel

    original_save = ArticleModel.save

    def broken_save(self, *args, **kwargs):
        if self.slug == "b":
            raise RuntimeError("boom")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ArticleModel, "save", broken_save)
    write_seed("a.md", "---\ntitle: A\nslug: a\n---\nx")
    path = write_seed("b.md", "---\ntitle: B\nslug: b\n---\nx")
    code, lines = run_import(path.parent)
    assert code == 1
    assert lines[1] == (
        f"failed {path} b unexpected error (RuntimeError: boom); set DJANGO_LOG_LEVEL=DEBUG for details"
    )
    assert "Traceback" not in "\n".join(lines)
    assert list(ArticleModel.objects.values_list("slug", flat=True)) == ["a"]


class _Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_off_a_terminal_is_a_line_on_stderr_every_interval(db, write_seed, run_import, monkeypatch):
    from articles.management.commands import import_seeds

    for name in "abc":
        write_seed(f"{name}.md", f"---\ntitle: {name}\n---\nx")
    monkeypatch.setattr(import_seeds, "PROGRESS_EVERY_SECONDS", 0)
    stderr = StringIO()
    code, lines = run_import(write_seed("d.md", "---\ntitle: d\n---\nx").parent, stderr=stderr)
    assert code == 0 and not [line for line in lines if line.startswith("progress")]  # stdout: the report
    progress = stderr.getvalue().splitlines()
    assert [re.sub(r" \(\d+ files/s\)$", "", line) for line in progress] == [
        f"progress {done}/4 files" for done in range(1, 5)
    ]
    monkeypatch.setattr(import_seeds, "PROGRESS_EVERY_SECONDS", 3600)
    stderr = StringIO()
    run_import("--dry-run", write_seed("e.md", "---\ntitle: e\n---\nx").parent, stderr=stderr)
    assert stderr.getvalue() == ""


def test_progress_on_a_terminal_is_a_bar_cleared_before_each_line(db, write_seed, run_import):
    write_seed("a.md", "---\ntitle: a\n---\nx")
    stderr = _Terminal()
    code, lines = run_import(write_seed("b.md", "---\ntitle: b\n---\nx").parent, stderr=stderr)
    assert code == 0 and lines[0].startswith("created") and lines[1].startswith("created")
    shown = stderr.getvalue()
    assert f"\r[{'#' * 30}] 2/2 files" in shown
    assert shown.endswith("\r\033[K")  # the bar is gone before the summary line
    assert "progress " not in shown


def test_progress_is_not_written_in_the_error_colour():
    from django.core.management.base import OutputWrapper

    from articles.management.commands.import_seeds import _Progress

    # On a real terminal Django styles stderr as errors; call_command's own stream has no style.
    stream = OutputWrapper(_Terminal())
    stream.style_func = lambda text: f"<error>{text}</error>"
    progress = _Progress(stream, every=0)
    progress.update(2, 2)
    progress.finish()
    assert stream._out.getvalue() == f"\r[{'#' * 30}] 2/2 files\r\033[K"
