"""Recovery: no webhook delivery is left unsent by a worker that died.

A worker killed while it sends (SIGKILL, a crash, the machine going down) leaves its send task
RUNNING for ever, and nothing runs it again: the delivery stays pending with a lease that lapses
and no task to use it. Each delivery records the task of its next attempt (Delivery.task_id), so
`sweep()` looks only at pending deliveries whose task is no longer queued (missing, left running,
or finished without making the attempt), that have waited longer than a send can take and are not
held by a live lease, and queues their next attempt: at most SWEEP_LIMIT a sweep, most overdue
first. publish_worker runs it with the publishing sweep (publishing/recovery.py). A delivery
queued twice this way is sent once: the send task claims its attempt (webhooks/tasks.py).
"""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Delivery
from .tasks import enqueue_send, lease_seconds

logger = logging.getLogger(__name__)
# Deliveries requeued per sweep at most: a sweep's work stays bounded, and a long backlog of orphans
# (task rows pruned, deliveries from before task ids were recorded) is worked through over sweeps.
SWEEP_LIMIT = 500


def sweep():
    """Queue the next attempt of orphaned pending deliveries; returns how many were queued."""
    now = timezone.now()
    queued = DBTaskResult.objects.filter(id=OuterRef("task_id"), status=TaskResultStatus.READY)
    orphaned = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .annotate(due=Coalesce("next_attempt_at", "created"))
        .filter(due__lt=now - timedelta(seconds=lease_seconds()))
        .filter(~Exists(queued))
        .order_by("due")
        .values_list("pk", "attempts")[:SWEEP_LIMIT]
    )
    for pk, attempts in orphaned:
        enqueue_send(pk, attempts + 1)
    if orphaned:
        logger.warning("Requeued %d webhook deliveries left behind by a stopped worker", len(orphaned))
    return len(orphaned)
