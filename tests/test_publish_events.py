"""Every reader-visible change writes exactly one publish event, in its own transaction, with the
right kind and exactly the pages it made stale; a change readers cannot see writes none, and a
change that rolls back leaves neither an event nor its task."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import override_script_prefix
from django.urls import include, path, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import sitemaps
from articles.models import Article, Status
from publishing.affected import affected, snapshot
from publishing.changes import EventKind
from publishing.models import Event, ReceiverState

from .factories import admin_form_data, make_article, make_author, tag

CHANGELIST = "/admin/articles/article/"
SHARED = {"list", "feed", "sitemap", "search"}
# Another URL configuration (this module's, by override_settings): the blog under /news/.
urlpatterns = [
    path("news/", include("articles.urls")),
    path("map.xml", lambda request: HttpResponse(), name="sitemap"),
    path("map-<int:number>.xml", lambda request, number: HttpResponse(), name="sitemap-articles"),
]


def edit(committed, article, **changes):
    """Save `article` with `changes` in a committed transaction; returns the events it wrote."""
    with committed() as events:
        for name, value in changes.items():
            setattr(article, name, value)
        article.save()
    return events


def save_then_fail(article, **changes):
    """A transaction that saves `article` with `changes`, then fails and rolls back."""
    with transaction.atomic():
        for name, value in changes.items():
            setattr(article, name, value)
        article.save()
        raise RuntimeError("the request failed after the save")


def own_keys(article, *extra):
    # Test sites are small: every article is in the sitemap's first document.
    own = {f"article-{article.pk}", f"neighbour-{article.pk}", "sitemap-articles-1", *SHARED, *extra}
    return own | {f"api-article-{article.pk}", "api-articles"}


def api_counts(author, *tags):
    """The Content API's keys of an author and tags whose count of public articles moved."""
    return {f"api-author-{author.pk}", "api-authors", *(f"api-tag-{found.pk}" for found in tags), "api-tags"}


@pytest.fixture
def trio(db, committed):
    """Three public articles in a row (older, middle, newer) by one author, the middle one tagged."""
    author = make_author(slug="ann")
    now = timezone.now()
    with committed():
        older = make_article(slug="older", author=author, published=now - timedelta(days=3))
        middle = tag(make_article(slug="middle", author=author, published=now - timedelta(days=2)), "Jam")
        newer = make_article(slug="newer", author=author, published=now - timedelta(days=1))
    return older, middle, newer


def test_a_change_that_rolls_back_leaves_no_event_and_no_task(trio, committed):
    _, middle, _ = trio
    tasks_before = DBTaskResult.objects.count()
    with committed() as events, pytest.raises(RuntimeError):
        save_then_fail(middle, title="Never seen")
    assert events == [] and DBTaskResult.objects.count() == tasks_before


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_has_its_event_and_its_task_and_a_rolled_back_one_has_neither():
    """With real commits and rollbacks (no test transaction around them)."""
    with transaction.atomic():
        article = make_article(slug="real")
    event = Event.objects.get(article_id=article.pk)
    assert event.kind == EventKind.PUBLISHED
    assert DBTaskResult.objects.filter(args_kwargs__args=[event.pk.hex]).count() == 1
    with pytest.raises(RuntimeError):
        save_then_fail(article, title="Rolled back")
    assert Event.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_publish_names_the_article_its_lists_and_its_new_neighbours(db, committed):
    author = make_author(slug="bo")
    now = timezone.now()
    with committed():
        older = make_article(slug="o", published=now - timedelta(days=3))
        newer = make_article(slug="n", published=now - timedelta(days=1))
        draft = tag(
            make_article(slug="d", author=author, status=Status.DRAFT, published=now - timedelta(days=2)),
            "Tea",
        )
    (event,) = edit(committed, draft, status=Status.PUBLISHED)
    tea = draft.tags.get()
    assert event.kind == EventKind.PUBLISHED
    assert set(event.keys) == own_keys(
        draft, f"author-{author.pk}", f"tag-{tea.pk}", f"article-{older.pk}", f"article-{newer.pk}"
    ) | api_counts(author, tea)
    assert {
        "/blog/d",
        "/blog/",
        "/blog/feed.xml",
        "/blog/feed.json",
        "/sitemap.xml",
        "/sitemap-articles-1.xml",
        "/blog/author/bo",
        "/blog/tag/tea/atom.xml",
        "/blog/o",
        "/blog/n",
    } <= set(event.paths)
    assert event.payload["slug"] == "d" and event.payload["public"] is True


def test_edit_of_a_public_article_names_its_pages_but_not_its_neighbours(trio, committed):
    older, middle, _ = trio
    (event,) = edit(committed, middle, body="New words.")
    assert event.kind == EventKind.UPDATED
    assert set(event.keys) == own_keys(middle, f"author-{middle.author_id}", f"tag-{middle.tags.get().pk}")
    assert f"article-{older.pk}" not in event.keys  # exact: an unrelated article's page stays cached


def test_unpublish_and_delete_name_the_pages_it_was_on(trio, committed):
    older, middle, newer = trio
    expected = own_keys(
        middle,
        f"author-{middle.author_id}",
        f"tag-{middle.tags.get().pk}",
        f"article-{older.pk}",
        f"article-{newer.pk}",
    ) | api_counts(middle.author, middle.tags.get())
    unpublished = edit(committed, middle, status=Status.DRAFT)
    with committed() as deleted:
        newer.delete()
    assert [(e.kind, set(e.keys)) for e in unpublished] == [(EventKind.UNPUBLISHED, expected)]
    (gone,) = deleted
    assert gone.kind == EventKind.DELETED and gone.payload["slug"] == "newer"
    assert f"article-{older.pk}" in gone.keys  # its neighbour, now the newest article


def test_slug_change_names_the_old_address_too(trio, committed):
    _, middle, _ = trio
    (event,) = edit(committed, middle, slug="renamed")
    assert event.kind == EventKind.UPDATED and {"/blog/middle", "/blog/renamed"} <= set(event.paths)


@pytest.mark.parametrize("site", ["at the root", "under a script prefix", "with another URL configuration"])
def test_a_change_names_its_pages_by_the_paths_reverse_gives(db, site):
    mounted = {
        "at the root": override_script_prefix("/"),
        "under a script prefix": override_script_prefix("/mounted/"),
        "with another URL configuration": override_settings(ROOT_URLCONF=__name__),
    }[site]
    make_article(slug="older", published=timezone.now() - timedelta(days=1))
    # Unicode slugs, which reverse() percent-encodes.
    article = tag(make_article(slug="中文", author=make_author(slug="zoë")), "Größe")
    with mounted:
        paths = affected(None, snapshot(article.pk)).paths
        shared = ("articles:list", "articles:feed", "articles:atom", "articles:json-feed", "sitemap")
        expected = {reverse(name) for name in shared}
        expected.add(reverse("sitemap-articles", args=[sitemaps.section_of(article.pk)]))
        for name, slug in [("detail", "中文"), ("detail", "older")] + [
            (f"{kind}{suffix}", slug)
            for kind, slug in (("author", "zoë"), ("tag", "größe"))
            for suffix in ("", "-feed", "-atom")
        ]:
            expected.add(reverse(f"articles:{name}", kwargs={"slug": slug}))
        if site != "with another URL configuration":  # which does not mount the Content API
            expected.update(reverse(f"content_api:list_{kind}") for kind in ("articles", "authors", "tags"))
            for kind, slug in (("article", "中文"), ("author", "zoë"), ("tag", "größe")):
                expected.add(reverse(f"content_api:read_{kind}", kwargs={"slug": slug}))
    assert paths == expected


def test_draft_edit_writes_no_event(db, committed):
    with committed():
        draft = make_article(status=Status.DRAFT)
    assert edit(committed, draft, body="Still hidden.") == []


def test_an_admin_save_with_new_tags_is_one_event_with_old_and_new_tags(client, editor, trio, committed):
    _, middle, _ = trio
    jam = middle.tags.get()
    client.force_login(editor)
    tea = tag(make_article(status=Status.DRAFT), "Tea").tags.get()
    with committed() as events:
        response = client.post(
            f"{CHANGELIST}{middle.pk}/change/", admin_form_data(middle, title="Retitled", tags=[tea.pk])
        )
    assert response.status_code == 302
    (event,) = events
    assert event.kind == EventKind.UPDATED
    assert {f"tag-{jam.pk}", f"tag-{tea.pk}"} <= set(event.keys)
    assert [t["slug"] for t in event.payload["tags"]] == ["tea"] and event.payload["title"] == "Retitled"


def test_restoring_a_version_writes_an_event(client, editor, trio, committed):
    _, middle, _ = trio
    client.force_login(editor)
    change_url = f"{CHANGELIST}{middle.pk}/change/"
    with committed():
        client.post(change_url, admin_form_data(middle, body="Rewritten.", tags=[middle.tags.get().pk]))
    original = middle.history.order_by("history_date").first()
    with committed() as events:
        response = client.post(
            f"{CHANGELIST}{middle.pk}/history/{original.history_id}/",
            admin_form_data(middle, body=original.body, tags=[middle.tags.get().pk]),
        )
    assert response.status_code == 302
    assert [e.kind for e in events] == [EventKind.UPDATED]


def test_bulk_publish_and_unpublish_write_one_event_per_article(client, editor, db, committed):
    client.force_login(editor)
    with committed():
        drafts = [make_article(status=Status.DRAFT) for _ in range(2)]
    pks = [draft.pk for draft in drafts]
    with committed() as published:
        client.post(CHANGELIST, {"action": "publish", "_selected_action": pks})
    with committed() as unpublished:
        client.post(CHANGELIST, {"action": "unpublish", "_selected_action": pks})
    assert sorted((e.kind, e.article_id) for e in published) == [
        (EventKind.PUBLISHED, pk) for pk in sorted(pks)
    ]
    assert sorted((e.kind, e.article_id) for e in unpublished) == [
        (EventKind.UNPUBLISHED, pk) for pk in sorted(pks)
    ]


def test_author_rename_is_a_site_change(trio, committed):
    author = trio[0].author
    events = edit(committed, author, name="Ann Other")
    unchanged = edit(committed, author)
    assert [(e.kind, e.keys) for e in events] == [(EventKind.SITE_CHANGED, ["site"])]
    assert unchanged == []


def test_import_writes_one_event_per_changed_article_with_its_tags(db, run_import, write_seed):
    seed = "---\ntitle: Note\nslug: note\npublished: 2024-01-02\ntags: [Jam]\n---\nFirst text.\n"
    path = write_seed("note.md", seed)
    run_import(path)
    (created,) = Event.objects.all()
    jam = Article.objects.get(slug="note").tags.get()
    assert created.kind == EventKind.PUBLISHED and f"tag-{jam.pk}" in created.keys
    run_import(path)
    assert Event.objects.count() == 1  # unchanged: no event
    write_seed("note.md", seed.replace("First text.", "Second text."))
    run_import(path)
    assert list(Event.objects.exclude(pk=created.pk).values_list("kind", flat=True)) == [EventKind.UPDATED]


def test_every_event_has_a_pending_state_per_receiver(receivers, settings, db, committed):
    with committed() as events:
        make_article()
    (event,) = events
    assert sorted(event.receiver_states.values_list("receiver", "status")) == [
        (path, ReceiverState.Status.PENDING) for path in sorted(settings.PUBLISHING_RECEIVERS)
    ]


@pytest.mark.django_db(transaction=True)
def test_an_import_tells_the_page_cache_once_about_all_it_changed(write_seed, monkeypatch):
    """With a real commit: the on-commit invalidation runs inside the import's batch too."""
    calls = []
    monkeypatch.setattr(
        "articles.page_cache.invalidate",
        lambda keys, scheduled: calls.append((set(keys), set(scheduled))),
    )
    for number in range(3):
        path = write_seed(
            f"n{number}.md",
            f"---\ntitle: N{number}\nslug: n{number}\npublished: 2024-01-0{number + 2}\n---\nText.\n",
        )
    call_command("import_seeds", str(path.parent), stdout=StringIO())
    assert Event.objects.count() == 3
    ((keys, scheduled),) = calls
    assert {f"article-{pk}" for pk in Article.objects.values_list("pk", flat=True)} <= keys
    # The times the import left, so the page cache needs no query to know the next scheduled one.
    assert scheduled == set(Article.objects.values_list("published", flat=True))
