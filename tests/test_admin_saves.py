"""What an admin Save does to an article: exactly what the editor changed, and nothing when nothing
changed. The form is posted as a browser posts it (tests/html.py submitted_form: textareas with
CRLF line breaks), from the change page the editor opened."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from publishing.models import Event

from .conftest import SEED_FILE
from .html import submitted_form

CHANGELIST = "/admin/articles/article/"


def change_url(article):
    return f"{CHANGELIST}{article.pk}/change/"


def opened_form(client, article):
    """The change page's form as the editor's browser would send it back, untouched."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    return submitted_form(response.content.decode())


def save(client, article, data):
    response = client.post(change_url(article), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def indented_article(run_import, write_seed):
    """An imported article whose body starts with indented code and ends with blank lines."""
    path = write_seed(
        "indented.md",
        "---\ntitle: Indented\nslug: indented\ndate: 2024-03-01\n---\n    leading code block\n\nText.\n\n\n",
    )
    run_import(str(path))
    return Article.objects.get(slug="indented")


def test_a_save_with_no_change_writes_nothing(
    client, editor, seed_article, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    before = Article.objects.get(pk=seed_article.pk)
    versions = before.history.count()
    events = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        after = save(client, before, opened_form(client, before))
    assert after.updated == before.updated
    assert after.edited_at is None
    assert after.body == before.body  # byte for byte: no CRLF from the browser
    assert after.history.count() == versions
    assert Event.objects.count() == events  # no publish event, so no purge, no webhook
    assert callbacks == []  # nothing scheduled for after the commit (cache, renditions, events)


def test_a_save_with_no_change_keeps_leading_and_trailing_whitespace(client, editor, indented_article):
    client.force_login(editor)
    after = save(client, indented_article, opened_form(client, indented_article))
    assert after.body == indented_article.body == "    leading code block\n\nText.\n\n\n"
    assert after.edited_at is None


def test_an_edit_keeps_the_bodys_own_line_endings(client, editor, run_import, write_seed):
    path = write_seed(
        "crlf.md",
        b"---\r\ntitle: Windows\r\nslug: windows\r\ndate: 2024-03-01\r\n---\r\nOne.\r\n\r\nTwo.\r\n",
    )
    run_import(str(path))
    article = Article.objects.get(slug="windows")
    assert article.body == "One.\r\n\r\nTwo.\r\n"
    client.force_login(editor)
    data = opened_form(client, article)
    data["body"] = data["body"].replace("Two.", "Two, edited.")
    assert save(client, article, data).body == "One.\r\n\r\nTwo, edited.\r\n"

    unix = Article.objects.get(pk=article.pk)
    unix.body = "One.\n\nTwo.\n"
    unix.save()
    data = opened_form(client, unix)
    data["body"] = data["body"].replace("Two.", "Two, edited.")
    assert save(client, unix, data).body == "One.\n\nTwo, edited.\n"


def test_a_real_edit_still_saves_and_moves_updated(client, editor, seed_article):
    # Published by the admin's action at a time with microseconds, which the form does not show.
    Article.objects.filter(pk=seed_article.pk).update(
        published=seed_article.published.replace(microsecond=123456)
    )
    client.force_login(editor)
    before = Article.objects.get(pk=seed_article.pk)
    versions = before.history.count()
    data = opened_form(client, before)
    data["excerpt"] = "A new excerpt."
    after = save(client, before, data)
    assert after.excerpt == "A new excerpt."
    assert after.updated > before.updated and after.edited_at is not None
    assert after.body == before.body and after.published == before.published
    assert after.history.count() == versions + 1


def test_an_untouched_admin_save_exports_byte_identical(client, editor, seed_article, tmp_path):
    client.force_login(editor)
    save(client, seed_article, opened_form(client, seed_article))
    call_command("export_articles", str(tmp_path), stdout=StringIO())
    assert (tmp_path / SEED_FILE.name).read_bytes() == SEED_FILE.read_bytes()


@pytest.fixture
def second_editor(db):
    from django.contrib.auth.models import Group

    from articles.roles import EDITORS_GROUP

    from .conftest import _user

    user = _user("jane", is_staff=True, first_name="Jane", last_name="Doe")
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


def test_a_save_from_a_form_older_than_the_article_is_refused(client, editor, second_editor, seed_article):
    from django.test import Client

    jane = Client()
    jane.force_login(second_editor)
    client.force_login(editor)
    mine = opened_form(client, seed_article)
    hers = opened_form(jane, seed_article)

    hers["body"] = hers["body"].replace("One of the most important steps", "Jane's new first step")
    save(jane, seed_article, hers)
    mine["excerpt"] = "My excerpt."
    response = client.post(change_url(seed_article), mine)

    assert response.status_code == 200  # the form again, with the refusal
    html = response.content.decode()
    assert "Not saved: Jane Doe saved this article at" in html
    assert "What they changed: body." in html
    assert "+Jane&#x27;s new first step" in html  # her change to the body, shown as a diff
    assert "My excerpt." in html  # the editor's own text is still in the form, to copy
    stored = Article.objects.get(pk=seed_article.pk)
    assert "Jane's new first step" in stored.body and stored.excerpt != "My excerpt."

    # Reloaded, the form carries her version: the save goes through, on top of her change.
    mine = opened_form(client, seed_article)
    mine["excerpt"] = "My excerpt."
    stored = save(client, seed_article, mine)
    assert stored.excerpt == "My excerpt." and "Jane's new first step" in stored.body


def test_saves_one_after_another_from_fresh_forms_are_not_refused(client, editor, seed_article):
    client.force_login(editor)
    for excerpt in ("First.", "Second."):
        data = opened_form(client, seed_article)
        data["excerpt"] = excerpt
        assert save(client, seed_article, data).excerpt == excerpt


def test_an_import_after_the_form_was_opened_makes_it_stale(client, editor, run_import, write_seed):
    path = write_seed("note.md", "---\ntitle: Note\nslug: note\ndate: 2024-01-02\n---\nFirst text.\n")
    run_import(str(path))
    article = Article.objects.get(slug="note")
    client.force_login(editor)
    data = opened_form(client, article)
    path.write_text("---\ntitle: Note\nslug: note\ndate: 2024-01-02\n---\nSecond text.\n")
    run_import(str(path))
    data["excerpt"] = "Mine."
    html = client.post(change_url(article), data).content.decode()
    assert "Not saved: An import or another process saved this article" in html
    assert Article.objects.get(pk=article.pk).body == "Second text.\n"


def test_an_editor_is_told_who_else_has_the_article_open(client, editor, second_editor, seed_article):
    from django.test import Client

    jane = Client()
    jane.force_login(second_editor)
    client.force_login(editor)
    assert "Also open for editing" not in client.get(change_url(seed_article)).content.decode()
    html = jane.get(change_url(seed_article)).content.decode()
    assert "Also open for editing by editor (since" in html
    # The open page's heartbeat answers the same notice (presence.js shows it).
    presence = f"{CHANGELIST}{seed_article.pk}/presence/"
    assert "Also open for editing by Jane Doe" in client.post(presence).json()["notice"]
    assert client.get(presence).status_code == 405


ADD_URL = f"{CHANGELIST}add/"


def added(client, **fields):
    """Post the add form as a browser would, with `fields` typed in; returns the response."""
    data = submitted_form(client.get(ADD_URL).content.decode())
    data.update({"status": "draft", **fields})
    return client.post(ADD_URL, data)


@pytest.mark.parametrize("slug", ["search", "feed", "Tag"])
def test_the_admin_refuses_the_slugs_the_importer_refuses_with_its_reason(
    client, editor, slug, run_import, write_seed
):
    code, lines = run_import(str(write_seed("x.md", f"---\ntitle: X\nslug: {slug}\n---\nText.\n")))
    assert code != 0
    (refusal,) = [line for line in lines if "path the site uses itself" in line]
    reason = refusal.split("slug: ", 1)[1]
    client.force_login(editor)
    response = added(client, title="X", slug=slug)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [f"{reason[0].upper()}{reason[1:]}."]
    assert not Article.objects.filter(slug=slug).exists()


def test_a_new_article_with_a_taken_slug_is_offered_a_free_one(client, editor, seed_article):
    Article.objects.create(title="Other", slug=f"{seed_article.slug}-2", body="x")
    client.force_login(editor)
    response = added(client, title="Again", slug=seed_article.slug)
    assert response.context["adminform"].form.errors["slug"] == [
        f"Another article has the slug {seed_article.slug!r}; '{seed_article.slug}-3' is free."
    ]


@pytest.mark.parametrize("title", ["Größe", "Đường phố", "Привет мир", "日本語のタイトル", "Crème brûlée"])
def test_the_admins_slug_from_a_title_is_the_importers(client, editor, title, run_import, write_seed):
    client.force_login(editor)
    suggested = client.get(f"{CHANGELIST}slug/", {"title": title}).json()["slug"]
    run_import(str(write_seed("t.md", f"---\ntitle: {title}\n---\nText.\n")))
    assert Article.objects.get(title=title).slug == suggested != ""
    # Now taken by the imported article: the next one is offered a free slug, the article itself its own.
    assert client.get(f"{CHANGELIST}slug/", {"title": title}).json()["slug"] == f"{suggested}-2"
    own = Article.objects.get(title=title).pk
    assert client.get(f"{CHANGELIST}slug/", {"title": title, "pk": own}).json()["slug"] == suggested


def test_a_reserved_slug_is_never_suggested(client, editor):
    client.force_login(editor)
    assert client.get(f"{CHANGELIST}slug/", {"title": "Search"}).json()["slug"] == "search-2"


def test_the_slug_help_text_shows_its_placeholder(client, editor, seed_article):
    client.force_login(editor)
    html = client.get(change_url(seed_article)).content.decode()
    assert "/blog/&lt;slug&gt;" in html and "/blog/<slug>" not in html
    assert html.count("Times are in UTC, the site&#x27;s time zone.") == 3  # published, expires, created


def test_a_new_article_starts_as_a_draft(client, editor):
    client.force_login(editor)
    assert submitted_form(client.get(ADD_URL).content.decode())["status"] == "draft"
    assert (
        submitted_form(client.get(ADD_URL, {"status": "published"}).content.decode())["status"] == "published"
    )


def test_the_schedule_action_asks_for_a_time_in_the_sites_zone_and_schedules(client, editor, settings):
    from datetime import timedelta

    from django.utils import timezone

    from .factories import make_article

    drafts = [make_article(status="draft", published=None) for _ in range(2)]
    client.force_login(editor)
    chosen = {"action": "schedule", "_selected_action": [article.pk for article in drafts]}
    page = client.post(CHANGELIST, chosen)
    assert page.status_code == 200 and "Time zone: UTC (the site's)." in page.content.decode()

    past = client.post(CHANGELIST, {**chosen, "schedule_at": "2001-01-01T10:00"})
    assert "Choose a time in the future" in past.content.decode()
    assert not Article.objects.filter(pk__in=chosen["_selected_action"], status="published").exists()

    when = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    assert client.post(CHANGELIST, {**chosen, "schedule_at": f"{when:%Y-%m-%dT%H:%M}"}).status_code == 302
    for article in Article.objects.filter(pk__in=chosen["_selected_action"]):
        assert article.status == "published" and article.published == when and article.is_scheduled
