"""Recovery: no webhook delivery is left unsent by a worker that died.

A worker killed while it sends (SIGKILL, a crash, the machine going down) leaves its send task
RUNNING for ever, and nothing runs it again: the delivery stays pending with a lease that lapses
and no task to use it. `sweep()` queues the next attempt of every pending delivery that has waited
longer than a send can take, is not held by a live lease, and has no send task queued.
publish_worker runs it with the publishing sweep (publishing/recovery.py). A delivery queued twice
this way is sent once: the send task claims its attempt (webhooks/tasks.py).
"""

import logging
from datetime import timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Delivery
from .tasks import enqueue_send, lease_seconds, send_delivery

logger = logging.getLogger(__name__)


def sweep():
    """Queue the next attempt of every orphaned pending delivery; returns how many were queued."""
    now = timezone.now()
    overdue = (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .annotate(due=Coalesce("next_attempt_at", "created"))
        .filter(due__lt=now - timedelta(seconds=lease_seconds()))
        .values_list("pk", "attempts")
    )
    if not overdue:
        return 0
    queued = {
        arguments["args"][0]
        for arguments in DBTaskResult.objects.filter(
            task_path=send_delivery.module_path, status=TaskResultStatus.READY
        ).values_list("args_kwargs", flat=True)
    }
    orphaned = [(pk, attempts) for pk, attempts in overdue if pk not in queued]
    for pk, attempts in orphaned:
        enqueue_send(pk, attempts + 1)
    if orphaned:
        logger.warning("Requeued %d webhook deliveries left behind by a stopped worker", len(orphaned))
    return len(orphaned)
