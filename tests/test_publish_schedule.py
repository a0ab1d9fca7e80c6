"""A scheduled publish and an expiry are events at their time, with no request and no save: a task
queued for that time writes the event, once; a rescheduled article's old task writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Status
from publishing.changes import EventKind
from publishing.models import Event

from .factories import make_article


@pytest.fixture
def clock(monkeypatch):
    """clock(delta) moves timezone.now() to `delta` after the test's start."""
    start = timezone.now()

    def move(delta):
        monkeypatch.setattr(timezone, "now", lambda: start + delta)

    return move


def test_a_scheduled_article_is_published_at_its_time(receivers, db, committed, run_tasks, clock):
    now = timezone.now()
    with committed():
        neighbour = make_article(published=now - timedelta(days=1))
    with committed() as at_save:
        article = make_article(slug="soon", published=now + timedelta(minutes=5))
    assert at_save == []  # nothing readers can see yet
    run_tasks()
    assert not Event.objects.filter(article_id=article.pk).exists()  # not due yet
    clock(timedelta(minutes=5, seconds=1))
    run_tasks()
    (event,) = Event.objects.filter(article_id=article.pk)
    assert event.kind == EventKind.PUBLISHED and event.occurred_at == article.published
    assert {f"article-{article.pk}", "list", f"article-{neighbour.pk}"} <= set(event.keys)
    assert "/blog/soon" in event.paths


def test_an_article_expires_at_its_time(receivers, db, committed, run_tasks, clock):
    now = timezone.now()
    with committed():
        article = make_article(slug="brief", expires=now + timedelta(minutes=5))
    clock(timedelta(minutes=6))
    run_tasks()
    kinds = list(
        Event.objects.filter(article_id=article.pk).order_by("created_at").values_list("kind", flat=True)
    )
    assert kinds == [EventKind.PUBLISHED, EventKind.UNPUBLISHED]


def test_a_draft_with_a_date_ahead_published_in_the_admin_goes_live_at_that_date(
    client, editor, receivers, db, committed, run_tasks, clock
):
    with committed():
        article = make_article(status=Status.DRAFT, published=timezone.now() + timedelta(minutes=5))
    client.force_login(editor)
    with committed():
        client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [article.pk]})
    clock(timedelta(minutes=6))
    run_tasks()
    (event,) = Event.objects.filter(article_id=article.pk)
    assert event.kind == EventKind.PUBLISHED and event.occurred_at == article.published


@pytest.mark.parametrize("moved_to", [timedelta(hours=2), timedelta(minutes=3)], ids=["later", "earlier"])
def test_a_rescheduled_article_is_published_once_at_its_new_time(
    receivers, db, committed, run_tasks, clock, moved_to
):
    now = timezone.now()
    with committed():
        article = make_article(published=now + timedelta(minutes=5))
    with committed():
        article.published = now + moved_to
        article.save()
    for moment in (timedelta(minutes=6), timedelta(hours=2, seconds=1)):
        clock(moment)
        run_tasks()
    (event,) = Event.objects.filter(article_id=article.pk)  # none for the old time
    assert event.kind == EventKind.PUBLISHED and event.occurred_at == article.published


@pytest.mark.parametrize("moment", ["published", "expires"])
def test_a_scheduled_article_moved_back_to_draft_has_no_event_at_its_time(
    receivers, db, committed, run_tasks, clock, moment
):
    now = timezone.now()
    with committed():
        article = make_article(**{moment: now + timedelta(minutes=5)})
    with committed() as unpublished:
        article.status = Status.DRAFT
        article.save()
    events_before = Event.objects.filter(article_id=article.pk).count()
    clock(timedelta(minutes=6))
    run_tasks()
    assert Event.objects.filter(article_id=article.pk).count() == events_before
    assert len(unpublished) == (moment == "expires")  # it was public until the draft


def test_a_scheduled_time_writes_its_event_once_however_often_its_task_runs(
    receivers, db, committed, run_tasks, clock
):
    from publishing.scheduling import scheduled_change

    now = timezone.now()
    with committed():
        article = make_article(published=now + timedelta(minutes=5))
    clock(timedelta(minutes=6))
    run_tasks()
    scheduled_change.call(article.pk, "published", article.published.isoformat())
    assert Event.objects.filter(article_id=article.pk).count() == 1


def test_an_article_that_expires_before_its_publication_never_has_an_event(
    receivers, db, committed, run_tasks, clock
):
    now = timezone.now()
    with committed():
        article = make_article(published=now + timedelta(minutes=10), expires=now + timedelta(minutes=5))
    for minutes in (6, 11):
        clock(timedelta(minutes=minutes))
        run_tasks()
    assert not Event.objects.filter(article_id=article.pk).exists()
