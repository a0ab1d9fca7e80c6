"""A delivery whose sender was killed is sent by the next sweep; nothing else is queued twice. Each
delivery records the task of its next attempt, and the sweep looks only at deliveries whose task is
no longer queued, a bounded number at a time."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from webhooks import recovery
from webhooks.models import Delivery
from webhooks.receivers import notify
from webhooks.recovery import sweep
from webhooks.tasks import enqueue_send, send_again

LONG_AGO = timedelta(hours=1)


def killed_mid_send(delivery):
    """What a worker killed while sending leaves: its task RUNNING for ever, its lease lapsed."""
    DBTaskResult.objects.filter(task_path="webhooks.tasks.send_delivery").update(
        status=TaskResultStatus.RUNNING
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        created=timezone.now() - LONG_AGO, claimed_until=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_left_by_a_killed_sender_is_sent_after_the_sweep(
    receiver, make_webhook, make_change, run_tasks, queued_sends
):
    make_webhook(receiver.url)
    change = make_change()
    notify(change)
    delivery = Delivery.objects.get()
    killed_mid_send(delivery)
    assert queued_sends() == []
    assert sweep() == 1
    assert queued_sends() == [([delivery.pk, 1], None)]
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.DELIVERED, 1)
    assert [headers["X-Webhook-Id"] for headers, _ in receiver.requests] == [change.id]
    assert sweep() == 0


def test_a_delivery_with_a_task_queued_or_a_live_lease_is_left_alone(
    receiver, make_webhook, make_change, queued_sends
):
    make_webhook(receiver.url)
    notify(make_change())
    notify(make_change())
    waiting, sending = Delivery.objects.order_by("pk")
    Delivery.objects.update(created=timezone.now() - LONG_AGO)  # both long due
    DBTaskResult.objects.filter(args_kwargs__args__0=sending.pk).update(status=TaskResultStatus.RUNNING)
    Delivery.objects.filter(pk=sending.pk).update(claimed_until=timezone.now() + timedelta(seconds=30))
    assert sweep() == 0
    assert queued_sends() == [([waiting.pk, 1], None)]


def queued_task_of(delivery):
    """The id of the one send task queued for `delivery`."""
    (task_id,) = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, args_kwargs__args__0=delivery.pk
    ).values_list("id", flat=True)
    return task_id


def test_a_delivery_records_the_task_of_its_next_attempt(
    receiver, make_webhook, make_change, run_tasks, queued_sends
):
    make_webhook(receiver.url)
    receiver.answers = [500]
    notify(make_change())
    delivery = Delivery.objects.get()
    assert delivery.task_id == queued_task_of(delivery)  # the first attempt
    run_tasks()  # it fails; the retry waits for its time
    delivery.refresh_from_db()
    assert [args for args, _ in queued_sends()] == [[delivery.pk, 2]]
    assert delivery.task_id == queued_task_of(delivery)
    enqueue_send(delivery.pk, 1)  # late: attempt 1 was made, and the delivery waits for the retry
    assert Delivery.objects.get().task_id == delivery.task_id
    DBTaskResult.objects.all().delete()
    send_again(delivery)
    delivery.refresh_from_db()
    assert delivery.task_id == queued_task_of(delivery)


@pytest.mark.parametrize(
    "left",
    [TaskResultStatus.RUNNING, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL, "deleted"],
)
def test_a_delivery_whose_task_is_no_longer_queued_is_requeued(
    receiver, make_webhook, make_change, queued_sends, left
):
    make_webhook(receiver.url)
    notify(make_change())
    delivery = Delivery.objects.get()
    tasks = DBTaskResult.objects.filter(pk=delivery.task_id)
    tasks.delete() if left == "deleted" else tasks.update(status=left)
    Delivery.objects.filter(pk=delivery.pk).update(created=timezone.now() - LONG_AGO)
    assert sweep() == 1
    assert queued_sends() == [([delivery.pk, 1], None)]
    assert Delivery.objects.get().task_id == queued_task_of(delivery)
    assert sweep() == 0


def test_a_sweep_requeues_at_most_its_limit_most_overdue_first(
    receiver, make_webhook, make_change, queued_sends, monkeypatch
):
    monkeypatch.setattr(recovery, "SWEEP_LIMIT", 2)
    make_webhook(receiver.url)
    for _ in range(3):
        notify(make_change())
    DBTaskResult.objects.all().delete()  # as if pruned: three deliveries without a task
    deliveries = list(Delivery.objects.order_by("pk"))
    for hours, delivery in enumerate(deliveries, start=1):  # the last is the most overdue
        Delivery.objects.filter(pk=delivery.pk).update(created=timezone.now() - timedelta(hours=hours))
    assert sweep() == 2
    assert sorted(args[0] for args, _ in queued_sends()) == [deliveries[1].pk, deliveries[2].pk]
    assert sweep() == 1
    assert sweep() == 0
    assert sorted(args[0] for args, _ in queued_sends()) == [delivery.pk for delivery in deliveries]
