"""A delivery whose sender was killed is sent by the next sweep; nothing else is queued twice."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from webhooks.models import Delivery
from webhooks.receivers import notify
from webhooks.recovery import sweep

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
