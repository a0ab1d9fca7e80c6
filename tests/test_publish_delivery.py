"""Every event reaches every receiver: a failing receiver is retried alone, with growing, jittered
waits, and given up after PUBLISHING_MAX_ATTEMPTS; a worker killed mid-delivery leaves nothing
undelivered; a receiver that cannot be imported stops the site at startup; /healthz says when
deliveries are overdue."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.backoff import backoff
from publishing import recovery
from publishing.delivery import redeliver
from publishing.models import Event, ReceiverState

from .factories import make_article


def test_each_receiver_gets_the_change_once(receivers, db, committed, run_tasks):
    with committed() as events:
        article = make_article()
    run_tasks()
    (event,) = events
    assert sorted(name for name, _ in receivers.received) == ["first", "second"]
    change = receivers.received[0][1]
    assert (
        change.id == event.pk.hex
        and change.article["pk"] == article.pk
        and change.keys == frozenset(event.keys)
    )
    assert set(event.receiver_states.values_list("status", "attempts")) == {(ReceiverState.Status.DONE, 1)}
    run_tasks()
    assert len(receivers.received) == 2


def test_an_imports_events_are_all_delivered_by_one_task(receivers, run_import, write_seed, run_tasks):
    for number in range(3):
        path = write_seed(f"n{number}.md", f"---\ntitle: N{number}\nslug: n{number}\n---\nText.\n")
    run_import(path.parent)
    assert DBTaskResult.objects.count() == 1 and run_tasks() == 1
    delivered = sorted((name, change.id) for name, change in receivers.received)
    assert delivered == sorted(
        (name, event.pk.hex) for event in Event.objects.all() for name in ("first", "second")
    )
    assert len(delivered) == 6
    assert set(ReceiverState.objects.values_list("status", flat=True)) == {ReceiverState.Status.DONE}


def test_a_failing_receiver_is_retried_alone_then_given_up(
    receivers, db, committed, run_tasks, settings, monkeypatch
):
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    receivers.failing.add("second")
    with committed():
        make_article()
    run_tasks()
    second = ReceiverState.objects.get(receiver__endswith="second_receiver")
    assert second.status == ReceiverState.Status.PENDING and second.attempts == 1
    assert second.next_attempt_at > timezone.now() and "second receiver is down" in second.last_error
    start = timezone.now()
    for minutes in (10, 20):  # past any backoff of these settings
        monkeypatch.setattr(timezone, "now", lambda minutes=minutes: start + timedelta(minutes=minutes))
        run_tasks()
    second.refresh_from_db()
    assert second.status == ReceiverState.Status.GIVEN_UP and second.attempts == 3
    assert [name for name, _ in receivers.received] == ["first"]  # not repeated for the other's retries
    first = ReceiverState.objects.get(receiver__endswith="first_receiver")
    assert (first.status, first.attempts) == (ReceiverState.Status.DONE, 1)


def test_a_receiver_that_takes_many_changes_gets_a_burst_in_one_call(
    receivers, db, committed, run_tasks, settings, monkeypatch
):
    """An import commits many articles at once: the edge is purged once for all of them."""
    settings.PUBLISHING_RECEIVERS = ["tests.publish_fixtures.batch_receiver"]

    with committed() as events:
        for _ in range(3):
            make_article()
    receivers.failing.add("batch")
    # The clock stands still for the first run: with full jitter a retry may be due within the
    # second, and on a loaded machine it came due while this run was still going (a second attempt).
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    run_tasks()
    states = ReceiverState.objects.all()
    assert {(state.status, state.attempts) for state in states} == {(ReceiverState.Status.PENDING, 1)}
    assert all("batch receiver is down" in state.last_error for state in states)
    receivers.failing.clear()
    later = timezone.now() + timedelta(minutes=10)  # past any backoff of these settings
    monkeypatch.setattr(timezone, "now", lambda: later)
    run_tasks()
    ((name, changes),) = receivers.received
    assert name == "batch" and {change.id for change in changes} == {event.pk.hex for event in events}
    assert {(state.status, state.attempts) for state in states.all()} == {(ReceiverState.Status.DONE, 2)}


def test_dispatch_again_hands_a_given_up_event_over_once_more(receivers, db, committed, run_tasks, settings):
    settings.PUBLISHING_MAX_ATTEMPTS = 1
    receivers.failing.add("second")
    with committed() as events:
        make_article()
    run_tasks()
    (event,) = events
    assert (
        event.receiver_states.get(receiver__endswith="second_receiver").status
        == ReceiverState.Status.GIVEN_UP
    )
    receivers.failing.clear()
    redeliver(event)
    run_tasks()
    assert set(event.receiver_states.values_list("status", flat=True)) == {ReceiverState.Status.DONE}
    assert sorted(name for name, _ in receivers.received) == ["first", "first", "second"]


def test_a_delivery_held_by_another_worker_is_not_handed_over_twice(receivers, db, committed, run_tasks):
    with committed() as events:
        make_article()
    (event,) = events
    event.receiver_states.update(claimed_until=timezone.now() + timedelta(minutes=1))
    run_tasks()
    assert receivers.received == []
    assert set(event.receiver_states.values_list("attempts", flat=True)) == {0}


@pytest.mark.parametrize("failures", [1, 2, 3, 8, 12, 5000])
def test_backoff_is_full_jitter_under_an_exponential_ceiling(failures):
    """One function for every retry (publishing receivers and webhooks, each with its settings)."""
    ceiling = min(300, 10 * 2 ** (failures - 1))
    waits = [backoff(failures, base=10.0, cap=300.0) for _ in range(200)]  # floats, as settings are
    assert all(0 <= wait <= ceiling for wait in waits)
    assert max(waits) > ceiling * 0.75 and min(waits) < ceiling * 0.25  # spread over the whole range


def test_a_failed_receiver_waits_by_the_publishing_settings(
    receivers, db, committed, run_tasks, settings, monkeypatch
):
    settings.PUBLISHING_RETRY_BASE_SECONDS, settings.PUBLISHING_RETRY_CAP_SECONDS = 30, 45
    monkeypatch.setattr("cms.backoff.random.uniform", lambda low, high: high)  # the longest wait
    receivers.failing.add("second")
    with committed():
        make_article()
    second = ReceiverState.objects.filter(receiver__endswith="second_receiver")
    for wait in (30, 45):  # the base, then twice the base held to the cap
        before = timezone.now()
        run_tasks()
        next_attempt_at = second.get().next_attempt_at
        assert before + timedelta(seconds=wait) <= next_attempt_at <= timezone.now() + timedelta(seconds=wait)
        monkeypatch.setattr(timezone, "now", lambda at=next_attempt_at: at)


def test_a_killed_workers_deliveries_are_handed_over_again(
    receivers, db, committed, run_tasks, settings, monkeypatch
):
    """As the worker leaves them when SIGKILLed mid-delivery: its task RUNNING for ever, the state
    being delivered claimed, the others pending."""
    with committed() as events:
        make_article()
    (event,) = events
    DBTaskResult.objects.get(status=TaskResultStatus.READY).claim("killed-worker")
    claim, start = settings.PUBLISHING_CLAIM_SECONDS, timezone.now()
    first = event.receiver_states.get(receiver__endswith="first_receiver")
    first.claimed_until, first.attempts = start + timedelta(seconds=3 * claim), 1
    first.save()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=claim + 1))
    assert recovery.sweep() == 1  # the second; the first is claimed: its worker may be alive and busy
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=3 * claim + 1))
    assert recovery.sweep() == 1  # the claim ran out: its worker is presumed dead
    run_tasks()
    assert set(event.receiver_states.values_list("status", flat=True)) == {ReceiverState.Status.DONE}
    assert sorted(name for name, _ in receivers.received) == ["first", "second"]
    assert recovery.sweep() == 0


def test_the_sweep_leaves_deliveries_whose_task_is_still_queued(
    receivers, db, committed, settings, monkeypatch
):
    with committed():
        make_article()
    later = timezone.now() + timedelta(seconds=settings.PUBLISHING_CLAIM_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert recovery.sweep() == 0 and DBTaskResult.objects.count() == 1


def test_a_receiver_that_cannot_be_imported_fails_the_system_check(settings):
    settings.PUBLISHING_RECEIVERS = ["tests.publish_fixtures.first_receiver", "nowhere.receivers.purge"]
    with pytest.raises(SystemCheckError, match=r"'nowhere\.receivers\.purge', which cannot be imported"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_healthz_answers_503_when_deliveries_are_overdue(
    client, receivers, db, committed, settings, monkeypatch
):
    with committed():
        make_article()
    assert client.get("/healthz").status_code == 200
    later = timezone.now() + timedelta(seconds=settings.PUBLISHING_STALL_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/healthz")
    assert response.status_code == 503 and b"publish events" in response.content


def test_the_admin_shows_a_given_up_delivery_and_dispatches_it_again(
    client, superuser, receivers, db, committed, run_tasks, settings
):
    settings.PUBLISHING_MAX_ATTEMPTS = 1
    receivers.failing.add("second")
    with committed() as events:
        make_article(slug="shown")
    run_tasks()
    (event,) = events
    client.force_login(superuser)
    listing = client.get("/admin/publishing/event/").content.decode()
    assert "1 given up" in listing and "shown" in listing
    page = client.get(f"/admin/publishing/event/{event.pk}/change/").content.decode()
    assert "second receiver is down" in page
    receivers.failing.clear()
    with committed():
        client.post("/admin/publishing/event/", {"action": "dispatch_again", "_selected_action": [event.pk]})
    run_tasks()
    assert set(event.receiver_states.values_list("status", flat=True)) == {ReceiverState.Status.DONE}


def test_receivers_are_handed_an_event_in_the_order_settings_list_them(
    receivers, settings, committed, run_tasks
):
    """The page cache's receiver is listed before the edge's: our cache must be stale before Varnish,
    once purged, asks it for the page again. The states' order in the table must not decide."""
    settings.PUBLISHING_RECEIVERS = list(reversed(receivers_listed := list(settings.PUBLISHING_RECEIVERS)))
    with committed():
        make_article()
    settings.PUBLISHING_RECEIVERS = receivers_listed
    run_tasks()
    assert [name for name, _ in receivers.received] == ["first", "second"]
