"""Fixtures for the publish-event tests (tests/test_publish_*.py), loaded by tests/conftest.py.

Fake receivers are module-level functions (PUBLISHING_RECEIVERS names them by dotted path) that
write down what they were handed in RECEIVED, or fail while FAILING says so."""

from contextlib import contextmanager
from types import SimpleNamespace

import pytest

RECEIVED = []  # (receiver name, change)
FAILING = set()  # names of the fake receivers that raise
FAKE_RECEIVERS = ["tests.publish_fixtures.first_receiver", "tests.publish_fixtures.second_receiver"]


def first_receiver(change):
    _receive("first", change)


def second_receiver(change):
    _receive("second", change)


def batch_receiver(change):
    _receive("batch", change)


def _receive_many(changes):
    """What a receiver that takes many Changes at once gets: one call, every due Change."""
    if "batch" in FAILING:
        raise ConnectionError("batch receiver is down")
    RECEIVED.append(("batch", tuple(changes)))


batch_receiver.many = _receive_many


def _receive(name, change):
    if name in FAILING:
        raise ConnectionError(f"{name} receiver is down")
    RECEIVED.append((name, change))


@pytest.fixture
def receivers(settings):
    """Events go to the two fake receivers: `.received` lists (name, change) as they come, and adding
    "first" or "second" to `.failing` makes that one raise."""
    settings.PUBLISHING_RECEIVERS = FAKE_RECEIVERS
    RECEIVED.clear()
    FAILING.clear()
    yield SimpleNamespace(received=RECEIVED, failing=FAILING)
    FAILING.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed() as events:` runs the block as one committed transaction (the test's own never
    commits: its on-commit callbacks run at the block's end) and fills `events` with the Events it
    wrote, oldest first."""
    from publishing.models import Event

    @contextmanager
    def block():
        known = set(Event.objects.values_list("pk", flat=True))
        events = []
        with django_capture_on_commit_callbacks(execute=True):
            yield events
        events.extend(Event.objects.exclude(pk__in=known).order_by("created_at"))

    return block


@pytest.fixture
def run_tasks(db):
    """run_tasks() runs every queued task that is due (by timezone.now(), which a test may move), as
    the worker would, until none is left; run_tasks(due_only=False) runs the delayed ones too,
    without waiting for their time, in the order a worker would once their time came. Returns how
    many ran; a task that failed fails the test with its traceback."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )

    def run(*, due_only=True, limit=100):
        ran = 0
        queued = (
            DBTaskResult.objects.ready()
            if due_only
            else DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        )
        queued = queued.order_by("run_after", "enqueued_at")
        while (row := queued.first()) is not None:
            assert ran < limit, f"more than {limit} tasks: a task that enqueues itself forever?"
            row.claim("test")
            worker.run_task(row)
            row.refresh_from_db()
            assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
            ran += 1
        return ran

    return run


def logging_receiver(change):
    """For a worker in another process: appends "<receiver> <event> <kind> <article pk> <time>"
    to the file PUBLISH_TEST_LOG names, and blocks first while the file PUBLISH_TEST_BLOCK names
    exists (a delivery to kill the worker in)."""
    _log("logging", change)


def second_logging_receiver(change):
    _log("second", change)


def _log(name, change):
    import os
    import time
    from pathlib import Path

    log = Path(os.environ["PUBLISH_TEST_LOG"])
    block = Path(os.environ.get("PUBLISH_TEST_BLOCK", "/nonexistent"))
    if name == "logging" and block.exists():
        with log.open("a") as out:
            out.write(f"{name}-blocked {change.id} {change.kind} - {time.time()}\n")
        while block.exists():
            time.sleep(0.05)
    pk = change.article["pk"] if change.article else "-"
    with log.open("a") as out:
        out.write(f"{name} {change.id} {change.kind} {pk} {time.time()}\n")
