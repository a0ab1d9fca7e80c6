"""A send task run twice sends once, and an attempt a killed worker left half done is made again."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from webhooks.models import Delivery
from webhooks.receivers import notify
from webhooks.tasks import send_delivery


def test_a_task_for_an_attempt_already_made_sends_nothing(receiver, make_webhook, make_change, run_tasks):
    make_webhook(receiver.url)
    receiver.answers = [500]
    notify(make_change())
    run_tasks()  # attempt 1 fails; attempt 2 waits for its time
    delivery = Delivery.objects.get()
    assert send_delivery.call(delivery.pk, 1) == "nothing to do"  # attempt 1 run again
    assert len(receiver.requests) == 1
    run_tasks(due_only=False)
    assert send_delivery.call(delivery.pk, 2) == "nothing to do"
    assert send_delivery.call(delivery.pk, 3) == "nothing to do"  # delivered: no further attempt
    assert len(receiver.requests) == 2


def test_an_attempt_another_worker_is_making_waits_for_its_lease(
    receiver, make_webhook, make_change, queued_sends
):
    make_webhook(receiver.url)
    notify(make_change())
    delivery = Delivery.objects.get()
    held_until = timezone.now() + timedelta(seconds=60)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=held_until)
    assert send_delivery.call(delivery.pk, 1) == "claimed by another worker"
    assert receiver.requests == []
    assert ([delivery.pk, 1], held_until) in queued_sends()


def test_an_attempt_left_by_a_killed_worker_is_made_once_its_lease_lapsed(
    receiver, make_webhook, make_change, run_tasks
):
    make_webhook(receiver.url)
    change = make_change()
    notify(change)
    delivery = Delivery.objects.get()
    # A worker claimed attempt 1 and was killed before it logged anything.
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert send_delivery.call(delivery.pk, 1) == Delivery.Status.DELIVERED
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.claimed_until is None
    assert [headers["X-Webhook-Id"] for headers, _ in receiver.requests] == [change.id]


def test_a_send_reads_its_delivery_once(receiver, make_webhook, make_change):
    make_webhook(receiver.url)
    notify(make_change())
    delivery = Delivery.objects.get()
    with CaptureQueriesContext(connection) as queries:
        assert send_delivery.call(delivery.pk, 1) == Delivery.Status.DELIVERED
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if '"webhooks_delivery"' in sql]) == 1, reads
