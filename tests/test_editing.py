"""Issue 6 in the admin: visibility and scheduling, bulk actions, staff previews, roles and history."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Status
from articles.roles import EDITORS_GROUP

from .conftest import SEED_FILE, SEED_SLUG
from .factories import make_article, make_author
from .html import parse
from .test_admin import _form_data

CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user(
        "editor", "editor@example.com", "x-Long-Pass-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user("reader", "reader@example.com", "x-Long-Pass-123")


def _future(days=3):
    return timezone.now() + timedelta(days=days)


# --- Roles -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_editors_group_exists_after_migrate_with_exactly_its_permissions():
    # transaction=True: the test database is flushed and post_migrate runs again, as on a fresh
    # database; the group must come from that handler, not from a fixture.
    perms = Group.objects.get(name=EDITORS_GROUP).permissions.all()
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms) == [
        "articles.add_article",
        "articles.add_author",
        "articles.add_tag",
        "articles.change_article",
        "articles.change_author",
        "articles.change_tag",
    ]


def test_migrate_recreates_the_group_and_keeps_permissions_added_by_hand(db):
    from django.contrib.auth.models import Permission
    from django.core.management.sql import emit_post_migrate_signal

    def migrate_finished():  # what every `migrate` ends with, without its seconds of checks
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    Group.objects.filter(name=EDITORS_GROUP).delete()
    migrate_finished()
    group = Group.objects.get(name=EDITORS_GROUP)
    assert group.permissions.count() == 6
    group.permissions.add(Permission.objects.get(codename="delete_tag"))
    migrate_finished()
    assert group.permissions.count() == 7


def test_editor_can_use_articles_but_not_users_or_groups(client, editor, seed_article):
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(f"{CHANGELIST}{seed_article.pk}/change/").status_code == 200
    assert client.get("/admin/articles/author/add/").status_code == 200
    assert client.get("/admin/articles/tag/add/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.post(f"{CHANGELIST}{seed_article.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=seed_article.pk).exists()


def test_non_staff_user_is_refused_by_the_admin(client, reader, seed_article):
    reader.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(reader)
    response = client.get(f"{CHANGELIST}{seed_article.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- List: visibility, filters, link, actions ----------------------------------------------------


def test_list_shows_visibility_and_public_link(client, editor):
    public = make_article(title="Out now")
    scheduled = make_article(title="Coming soon", published=_future())
    make_article(title="Still a draft", status=Status.DRAFT)
    client.force_login(editor)
    html = client.get(CHANGELIST).content.decode()
    assert "Scheduled for" in html and "Draft" in html and "Public" in html
    assert f'href="{public.get_absolute_url()}"' in html and "View on site" in html
    assert f'href="{scheduled.get_absolute_url()}"' in html and ">Preview</a>" in html


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        ("scheduled", {"Coming soon"}),
        ("public", {"Out now"}),
        ("draft", {"Still a draft"}),
        ("expired", {"Gone"}),
    ],
)
def test_visibility_filter(client, editor, visibility, expected):
    make_article(title="Out now")
    make_article(title="Coming soon", published=_future())
    make_article(title="Still a draft", status=Status.DRAFT)
    make_article(title="Gone", expires=timezone.now() - timedelta(hours=1))
    client.force_login(editor)
    response = client.get(CHANGELIST, {"visibility": visibility})
    assert {a.title for a in response.context["cl"].result_list} == expected


def test_list_filters_by_status_author_and_tag_and_searches_the_body(client, editor):
    author = make_author(name="Ada")
    mine = make_article(title="Mine", author=author, body="A rare word: quixotic.")
    mine.tags.create(name="Science", slug="science")
    make_article(title="Other")
    client.force_login(editor)
    for params in (
        {"author__id__exact": author.pk},
        {"tags__id__exact": mine.tags.get().pk},
        {"q": "quixotic"},
    ):
        titles = {a.title for a in client.get(CHANGELIST, params).context["cl"].result_list}
        assert titles == {"Mine"}, params
    titles = {
        a.title for a in client.get(CHANGELIST, {"status__exact": "published"}).context["cl"].result_list
    }
    assert titles == {"Mine", "Other"}


def test_publish_and_unpublish_actions_keep_versions_and_mark_edited(client, editor):
    draft = make_article(title="Draft", status=Status.DRAFT, published=None)
    later = make_article(title="Later", status=Status.DRAFT, published=_future())
    client.force_login(editor)
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk, later.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    later.refresh_from_db()
    assert draft.is_public and draft.edited_at is not None
    assert later.status == Status.PUBLISHED and later.is_scheduled  # a future date stays scheduled
    assert draft.history.count() == 2 and draft.history.first().history_user == editor

    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.history.count() == 3


def test_scheduled_article_goes_live_by_itself(client, db):
    article = make_article(published=_future(days=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(published=timezone.now() - timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 200


# --- Staff preview ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": Status.DRAFT}, "This is a draft."),
        ({"published": "future"}, "Scheduled for"),
        ({"expires": "past"}, "Readers cannot see this article."),
    ],
)
def test_staff_preview_of_an_article_readers_cannot_see(client, editor, overrides, reason):
    values = {"published": _future()} if overrides.get("published") == "future" else {}
    if overrides.get("expires") == "past":
        values["expires"] = timezone.now() - timedelta(minutes=1)
    if "status" in overrides:
        values["status"] = overrides["status"]
    article = make_article(title="Not yet", **values)
    url = article.get_absolute_url()

    anonymous = client.get(url)
    assert anonymous.status_code == 404

    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not public." in html and reason in html
    assert '<meta name="robots" content="noindex">' in html
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


def test_public_article_shows_no_banner_to_staff(client, editor):
    article = make_article()
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert "Preview: not public" not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")


def test_logged_in_reader_without_permission_gets_404_for_a_draft(client, reader):
    article = make_article(status=Status.DRAFT)
    client.force_login(reader)
    assert client.get(article.get_absolute_url()).status_code == 404
    reader.groups.add(Group.objects.get(name=EDITORS_GROUP))  # the permission, but no staff status
    assert client.get(article.get_absolute_url()).status_code == 404


def test_draft_stays_off_every_public_surface_while_staff_preview_it(client, editor):
    make_article(title="Hidden draft", slug="hidden", status=Status.DRAFT)
    client.force_login(editor)
    for url in ("/blog/", "/blog/feed.xml", "/sitemap.xml"):
        response = client.get(url)
        assert (
            "Hidden draft" not in response.content.decode()
            and "/blog/hidden" not in response.content.decode()
        )


# --- Cover image -------------------------------------------------------------------------------


def test_lead_image_alt_text_is_on_the_page(client, db):
    article = make_article(image_url="https://images.example.com/lead.jpg", image_alt="A harbour at dawn")
    page = parse(client.get(article.get_absolute_url()).content.decode())
    lead = [
        attrs
        for tag, attrs in page.elements
        if tag == "img" and attrs.get("src") == "https://images.example.com/lead.jpg"
    ]
    assert lead and lead[0]["alt"] == "A harbour at dawn"


def test_change_form_has_cover_upload_preview_and_alt_field(client, editor, seed_article):
    client.force_login(editor)
    html = client.get(f"{CHANGELIST}{seed_article.pk}/change/").content.decode()
    assert 'name="image_alt"' in html and 'enctype="multipart/form-data"' in html
    assert "articles/admin/cover-preview.js" in html and "None uploaded." in html


# --- History -----------------------------------------------------------------------------------


def test_every_admin_save_keeps_a_version_with_a_readable_body_diff(client, editor, seed_article):
    client.force_login(editor)
    change_url = f"{CHANGELIST}{seed_article.pk}/change/"
    versions_before = seed_article.history.count()
    new_body = seed_article.body.replace("One of the most important steps", "The single most important step")
    assert client.post(change_url, _form_data(seed_article, body=new_body)).status_code == 302
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
    client.post(change_url, _form_data(seed_article, body="Rewritten entirely."))
    article = Article.objects.get(pk=seed_article.pk)
    assert "Rewritten entirely." in article.body_html

    revert_url = f"{CHANGELIST}{seed_article.pk}/history/{original.history_id}/"
    form = client.get(revert_url)
    assert form.status_code == 200 and "Revert" in form.content.decode()
    versions_before = seed_article.history.count()
    response = client.post(revert_url, _form_data(seed_article, body=original.body))
    assert response.status_code == 302
    restored = Article.objects.get(pk=seed_article.pk)
    assert restored.body == original.body.strip()  # the form strips, as any admin save does
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
    kept = {
        "created_0": seed_article.created.strftime("%Y-%m-%d"),
        "created_1": seed_article.created.strftime("%H:%M:%S"),
        "extra": json.dumps(seed_article.extra),
    }
    edit = client.post(
        f"{CHANGELIST}{seed_article.pk}/change/", _form_data(seed_article, body="Edited here.", **kept)
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
    from articles.admin import body_diff_html

    html = body_diff_html("Safe line.\n", "Safe line.\n<script>alert(1)</script>\n")
    assert "<script>" not in html
    assert '<span class="body-diff__added">+&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert body_diff_html("Same.", "Same.") == "No change to the body."
