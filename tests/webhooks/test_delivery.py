"""Every subscribed webhook gets each event once, is retried with backoff until it answers, and is
given up after WEBHOOK_MAX_ATTEMPTS; every attempt is logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing.changes import EventKind
from webhooks.models import Delivery
from webhooks.receivers import notify


def test_a_delivery_carries_the_payload_and_its_headers(receiver, make_webhook, make_change, run_tasks):
    make_webhook(receiver.url)
    change = make_change(kind=EventKind.UPDATED)
    notify(change)
    run_tasks(due_only=False)
    ((headers, _body),) = receiver.requests
    assert receiver.bodies() == [change.as_payload()]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Webhook-Id"] == change.id
    assert headers["X-Webhook-Event"] == EventKind.UPDATED
    assert headers["X-Webhook-Timestamp"].isdigit()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.error == ""


def test_the_same_change_notified_twice_is_one_delivery(receiver, make_webhook, make_change, run_tasks):
    make_webhook(receiver.url)
    change = make_change()
    notify(change)
    notify(change)
    run_tasks(due_only=False)
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_notify_never_sends_inline(receiver, make_webhook, make_change, queued_sends):
    make_webhook(receiver.url)
    notify(make_change())
    assert receiver.requests == []
    assert [args for args, _ in queued_sends()] == [[Delivery.objects.get().pk, 1]]


@pytest.mark.parametrize(
    ("subscribed", "kind", "received_as"),
    [
        ([EventKind.PUBLISHED], EventKind.PUBLISHED, EventKind.PUBLISHED),
        ([EventKind.PUBLISHED], EventKind.DELETED, None),
        ([EventKind.SITE_CHANGED], EventKind.DELETED, EventKind.SITE_CHANGED),
        ([EventKind.SITE_CHANGED, EventKind.DELETED], EventKind.DELETED, EventKind.DELETED),
        ([EventKind.UNPUBLISHED], EventKind.SITE_CHANGED, None),
        ([], EventKind.PUBLISHED, None),
    ],
)
def test_a_webhook_hears_only_the_events_it_asked_for(
    receiver, make_webhook, make_change, run_tasks, subscribed, kind, received_as
):
    make_webhook(receiver.url, events=subscribed)
    notify(make_change(kind=kind))
    run_tasks(due_only=False)
    assert [body["event"] for body in receiver.bodies()] == ([received_as] if received_as else [])
    assert [headers["X-Webhook-Event"] for headers, _ in receiver.requests] == (
        [received_as] if received_as else []
    )


def test_an_inactive_webhook_hears_nothing(receiver, make_webhook, make_change, run_tasks):
    make_webhook(receiver.url, active=False)
    notify(make_change())
    run_tasks(due_only=False)
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_every_subscribed_webhook_gets_its_own_delivery(receiver, make_webhook, make_change, run_tasks):
    first, second = make_webhook(receiver.url), make_webhook(receiver.url + "?second")
    change = make_change()
    notify(change)
    run_tasks(due_only=False)
    assert {d.webhook for d in Delivery.objects.filter(status=Delivery.Status.DELIVERED)} == {first, second}
    assert [headers["X-Webhook-Id"] for headers, _ in receiver.requests] == [change.id, change.id]


def test_a_failing_receiver_is_retried_later_until_it_answers(
    receiver, make_webhook, make_change, queued_sends, run_tasks, settings, monkeypatch
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    monkeypatch.setattr("cms.backoff.random.uniform", lambda low, high: high)  # the longest wait
    make_webhook(receiver.url)
    receiver.answers = [500, 503]
    notify(make_change())
    before = timezone.now()
    assert run_tasks() == 1  # the retry waits for its time
    delivery = Delivery.objects.get()
    ((args, run_after),) = queued_sends()
    assert args == [delivery.pk, 2] and delivery.status == Delivery.Status.PENDING
    assert before + timedelta(seconds=60) <= run_after <= timezone.now() + timedelta(seconds=60)
    assert run_after == delivery.next_attempt_at
    run_tasks(due_only=False)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert "answered 500" in delivery.attempt_log.first().error
    assert len(receiver.requests) == 3


def test_a_receiver_that_always_fails_is_given_up(receiver, make_webhook, make_change, run_tasks, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    make_webhook(receiver.url)
    receiver.answers = [500] * 10
    notify(make_change())
    run_tasks(due_only=False)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GIVEN_UP and delivery.attempts == 4
    assert delivery.next_attempt_at is None
    assert delivery.attempt_log.count() == 4 and len(receiver.requests) == 4


def test_a_slow_receiver_is_an_attempt_that_timed_out(
    receiver, make_webhook, make_change, run_tasks, settings
):
    settings.WEBHOOK_TIMEOUT = 0.2
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.delay = 1.0
    make_webhook(receiver.url)
    notify(make_change())
    run_tasks(due_only=False)
    (attempt,) = Delivery.objects.get().attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("no answer within 0.2 s")


def test_a_redirect_is_not_followed(receiver, make_webhook, make_change, run_tasks, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [302]
    make_webhook(receiver.url)
    notify(make_change())
    run_tasks(due_only=False)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GIVEN_UP
    assert delivery.attempt_log.get().error == "answered 302: redirects are not followed"


def test_a_receiver_that_is_down_is_a_logged_attempt(make_webhook, make_change, run_tasks, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    make_webhook("http://127.0.0.1:9/nobody-listens")
    notify(make_change())
    run_tasks(due_only=False)
    assert (
        Delivery.objects.get().attempt_log.get().error.startswith("could not be sent (ConnectionRefusedError")
    )
