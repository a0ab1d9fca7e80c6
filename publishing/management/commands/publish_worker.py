"""Deliver publish events: the django-tasks database worker with our options (every queue, a short
poll, no reloader, no start-up delay), plus the recovery sweeps (publishing/recovery.py,
webhooks/recovery.py) when it starts and every PUBLISHING_SWEEP_SECONDS, and a worker that
outlives a database outage."""

import logging
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from publishing.recovery import sweep
from webhooks.recovery import sweep as sweep_webhook_sends

logger = logging.getLogger("publishing.worker")
# Wait before polling a database that went away again.
RECONNECT_SECONDS = 1.0


class Command(BaseCommand):
    help = "Run the worker that delivers publish events (and every other queued task)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="Seconds between polls of an empty queue; a scheduled event waits at most this long.",
        )
        parser.add_argument("--worker-id", default="", help="Unique among running workers (default: random).")

    def handle(self, *, interval, worker_id, verbosity, **options):
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_every, args=(settings.PUBLISHING_SWEEP_SECONDS, stop), daemon=True
        )
        sweeper.start()
        worker.configure_signals()
        try:
            while worker.running:
                try:
                    worker.run()
                except DatabaseError as exc:  # the database went away: wait for it, lose nothing
                    logger.warning("Database unavailable (%s); retrying in %.0f s", exc, RECONNECT_SECONDS)
                    connection.close()
                    time.sleep(RECONNECT_SECONDS)
        finally:
            stop.set()


def _sweep_every(seconds, stop):
    """Sweep now, then every `seconds`, until `stop` is set; on a connection of this thread's own."""
    while True:
        try:
            sweep()
            sweep_webhook_sends()
        except DatabaseError as exc:
            logger.warning("Recovery sweep failed, trying again in %.0f s: %s", seconds, exc)
        finally:
            connection.close()
        if stop.wait(seconds):
            return
