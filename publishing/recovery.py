"""Recovery: no event is left undelivered by a worker that died.

A worker killed mid-task (SIGKILL, a crash, the machine going down) leaves its django-tasks row
RUNNING for ever, and nothing runs it again. The ReceiverStates it was delivering stay pending:
the one it was handing over keeps its claim until PUBLISHING_CLAIM_SECONDS have passed, the others
simply stay due. `sweep()` finds pending states that are overdue by more than that, unclaimed, and
whose task is no longer queued, and queues a new delivery for them. publish_worker runs it when it
starts and every PUBLISHING_SWEEP_SECONDS. A state delivered twice this way is harmless: the claim
stops two workers handing it over at once, and receivers act once per change.id.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .delivery import deliver, unclaimed
from .models import ReceiverState

logger = logging.getLogger(__name__)
# States looked at per sweep: a long backlog is worked through over several sweeps, not all at once.
SWEEP_LIMIT = 500


def sweep():
    """Queue a delivery for every orphaned pending state; returns how many states were requeued."""
    now = timezone.now()
    grace = timedelta(seconds=settings.PUBLISHING_CLAIM_SECONDS)
    overdue = list(
        ReceiverState.objects.filter(status=ReceiverState.Status.PENDING, next_attempt_at__lt=now - grace)
        .filter(unclaimed(now))
        .order_by("next_attempt_at")
        .values_list("pk", "event_id", "receiver", "task_id")[:SWEEP_LIMIT]
    )
    queued = {
        str(task_id)
        for task_id in DBTaskResult.objects.filter(
            id__in={task_id for *_, task_id in overdue if task_id}, status=TaskResultStatus.READY
        ).values_list("id", flat=True)
    }
    orphaned = [row for row in overdue if row[3] not in queued]
    for pk, event_id, receiver, _ in orphaned:
        task_id = deliver.enqueue(event_id.hex, receiver).id
        ReceiverState.objects.filter(pk=pk).update(task_id=task_id, updated_at=now)
    if orphaned:
        logger.warning("Requeued %d event deliveries left behind by a stopped worker", len(orphaned))
    return len(orphaned)


def oldest_overdue_seconds():
    """How long the most overdue pending delivery has waited, in seconds (0 when none is due): what
    /healthz watches, since a queue nobody polls must not stall silently."""
    now = timezone.now()
    oldest = ReceiverState.objects.filter(
        status=ReceiverState.Status.PENDING, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return (now - oldest).total_seconds() if oldest else 0.0
