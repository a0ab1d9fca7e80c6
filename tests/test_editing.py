"""Editing keeps history: every admin save and every import that changes an article is a version,
the history page shows the body's diff, and an earlier version can be restored."""

from io import StringIO

from django.core.management import call_command

from articles.models import Article

from .conftest import SEED_FILE, SEED_SLUG
from .factories import admin_form_data
from .html import submitted_form

CHANGELIST = "/admin/articles/article/"


def test_every_admin_save_keeps_a_version_with_a_readable_body_diff(client, editor, seed_article):
    client.force_login(editor)
    change_url = f"{CHANGELIST}{seed_article.pk}/change/"
    versions_before = seed_article.history.count()
    new_body = seed_article.body.replace("One of the most important steps", "The single most important step")
    assert client.post(change_url, admin_form_data(seed_article, body=new_body)).status_code == 302
    assert seed_article.history.count() == versions_before + 1
    latest = seed_article.history.first()
    assert latest.history_user == editor and "The single most important step" in latest.body

    html = client.get(f"{CHANGELIST}{seed_article.pk}/history/").content.decode()
    assert 'class="body-diff__removed">-One of the most important steps' in html
    assert 'class="body-diff__added">+The single most important step' in html
    assert "<strong>Body:</strong>" not in html  # not again, cut short, in the "Changes" column
    assert "<strong>Updated:</strong>" in html  # other fields are still listed there


def test_an_earlier_version_can_be_restored(client, editor, seed_article):
    client.force_login(editor)
    change_url = f"{CHANGELIST}{seed_article.pk}/change/"
    original = seed_article.history.first()
    client.post(change_url, admin_form_data(seed_article, body="Rewritten entirely."))
    article = Article.objects.get(pk=seed_article.pk)
    assert "Rewritten entirely." in article.body_html

    revert_url = f"{CHANGELIST}{seed_article.pk}/history/{original.history_id}/"
    form = client.get(revert_url)
    assert form.status_code == 200 and "Revert" in form.content.decode()
    versions_before = seed_article.history.count()
    response = client.post(revert_url, admin_form_data(seed_article, body=original.body))
    assert response.status_code == 302
    restored = Article.objects.get(pk=seed_article.pk)
    assert restored.body == original.body  # as written: no whitespace stripped
    assert "Rewritten entirely." not in restored.body_html  # rendered again on restore
    assert restored.updated > article.updated and restored.edited_at > article.edited_at
    assert restored.history.count() == versions_before + 1  # the restore is a version too


def test_an_import_that_changes_an_article_keeps_a_version_and_an_unchanged_one_does_not(db, write_seed):
    path = write_seed("note.md", "---\ntitle: Note\nslug: note\npublished: 2024-01-02\n---\nFirst text.\n")
    call_command("import_seeds", str(path), stdout=StringIO())
    article = Article.objects.get(slug="note")
    assert article.history.count() == 1

    call_command("import_seeds", str(path), stdout=StringIO())
    assert article.history.count() == 1  # unchanged file: no save, no version

    write_seed("note.md", "---\ntitle: Note\nslug: note\npublished: 2024-01-02\n---\nSecond text.\n")
    call_command("import_seeds", str(path), stdout=StringIO())
    assert article.history.count() == 2
    latest = article.history.first()
    assert latest.body.strip() == "Second text." and latest.history_user is None
    assert latest.prev_record.body.strip() == "First text."


def test_admin_edit_then_reimport_of_a_changed_seed_is_skipped_not_overwritten(
    client, editor, seed_article, write_seed, run_import
):
    client.force_login(editor)
    edit = client.post(
        f"{CHANGELIST}{seed_article.pk}/change/", admin_form_data(seed_article, body="Edited here.")
    )
    assert edit.status_code == 302
    versions = seed_article.history.count()
    # The same article (its source and source_id) with a changed body: a conflict, not a no-op.
    changed = write_seed(SEED_FILE.name, SEED_FILE.read_text(encoding="utf-8") + "\nA paragraph added.\n")
    code, lines = run_import(changed)
    assert code == 0
    assert lines[0] == (
        f"skipped {changed} {SEED_SLUG} conflict: edited in the admin since the last import; "
        "differs in body (--force to overwrite)"
    )
    assert "Edited here." in Article.objects.get(slug=SEED_SLUG).body_html
    assert seed_article.history.count() == versions


def test_body_diff_escapes_what_the_body_contains():
    from articles.body_diff import body_diff_html

    html = body_diff_html("Safe line.\n", "Safe line.\n<script>alert(1)</script>\n")
    assert "<script>" not in html
    assert '<span class="body-diff__added">+&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert body_diff_html("Same.", "Same.") == "No change to the body."


def test_restoring_a_version_from_its_untouched_form_restores_it(client, editor, seed_article):
    """The revert page's form shows the old version: sent back unchanged, it is still a change."""
    client.force_login(editor)
    original = seed_article.history.first()
    client.post(f"{CHANGELIST}{seed_article.pk}/change/", admin_form_data(seed_article, body="Rewritten."))
    revert_url = f"{CHANGELIST}{seed_article.pk}/history/{original.history_id}/"
    response = client.post(revert_url, submitted_form(client.get(revert_url).content.decode()))
    assert response.status_code == 302
    assert Article.objects.get(pk=seed_article.pk).body == original.body


def test_restoring_a_version_keeps_the_cover_image(
    client, editor, seed_article, django_capture_on_commit_callbacks
):
    from .factories import uploaded_image

    client.force_login(editor)
    change_url = f"{CHANGELIST}{seed_article.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        data = submitted_form(client.get(change_url).content.decode())
        data.update(image=uploaded_image("cover.png", size=(800, 500)), image_alt="A cover")
        assert client.post(change_url, data).status_code == 302
    with_cover = Article.objects.get(pk=seed_article.pk)
    assert with_cover.image and with_cover.lead_image_sources
    version = with_cover.history.first()
    with django_capture_on_commit_callbacks(execute=True):
        data = submitted_form(client.get(change_url).content.decode())
        data["body"] = "Rewritten."
        assert client.post(change_url, data).status_code == 302
        revert_url = f"{CHANGELIST}{seed_article.pk}/history/{version.history_id}/"
        assert (
            client.post(revert_url, submitted_form(client.get(revert_url).content.decode())).status_code
            == 302
        )
    restored = Article.objects.get(pk=seed_article.pk)
    assert restored.body == version.body
    assert restored.image.name == with_cover.image.name and restored.lead_image_sources


def test_any_two_versions_can_be_compared(client, editor, seed_article):
    client.force_login(editor)
    change_url = f"{CHANGELIST}{seed_article.pk}/change/"
    first = seed_article.history.first()
    for excerpt, body in [("Second.", seed_article.body), ("Third.", "Rewritten body.")]:
        data = submitted_form(client.get(change_url).content.decode())
        data.update(excerpt=excerpt, body=body)
        assert client.post(change_url, data).status_code == 302
    newest = seed_article.history.first()
    history = client.get(f"{CHANGELIST}{seed_article.pk}/history/").content.decode()
    assert 'name="a"' in history and 'name="b"' in history  # the choice of two versions

    compare = f"{CHANGELIST}{seed_article.pk}/history/compare/"
    html = client.get(compare, {"a": first.history_id, "b": newest.history_id}).content.decode()
    assert '<th scope="row">Excerpt</th>' in html and "Third." in html  # not neighbours: first to third
    assert 'class="body-diff__added">+Rewritten body.' in html
    # The order given does not matter: always from the older to the newer.
    swapped = client.get(compare, {"a": newest.history_id, "b": first.history_id}).content.decode()
    assert swapped.split('id="content-main"')[1] == html.split('id="content-main"')[1]
    assert client.get(compare, {"a": "x", "b": newest.history_id}).status_code == 404
