"""With a real worker (`manage.py db_worker`), every delivery to a receiver that was down for a while
lands once it is back, each event once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import manage

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 5
WORKER_OPTIONS = ["--queue-name", "*", "--interval", "0.2", "--no-reload", "--no-startup-delay"]
SETUP = f"""
import uuid
from django.utils import timezone
from publishing.changes import Change, EventKind
from webhooks.models import Webhook
from webhooks.receivers import notify

Webhook.objects.create(name="receiver", url="$URL", events=[EventKind.SITE_CHANGED])
for number in range({EVENTS}):
    notify(Change(id=uuid.uuid4().hex, kind=EventKind.PUBLISHED, occurred_at=timezone.now(), article={{"id": number}}))
"""


@pytest.fixture
def site(tmp_path):
    """(environment, database file) of a migrated site on SQLite, retries every second at most."""
    database = tmp_path / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CACHE_", "WEBHOOK_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_SECRET_KEY": "webhook-worker-test-not-secret",
            "DATABASE_URL": f"sqlite:///{database}",
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "WEBHOOK_RETRY_BASE_SECONDS": "0.25",
            "WEBHOOK_RETRY_MAX_SECONDS": "1",
            "WEBHOOK_MAX_ATTEMPTS": "100",
            "WEBHOOK_TIMEOUT": "2",
        }
    )
    manage(env, "migrate", "--noinput")
    return env, database


@pytest.fixture
def worker():
    """start(env): a db_worker process, stopped (SIGTERM, then SIGKILL) when the test ends."""
    processes = []

    def start(env):
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _statuses(database):
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT event_id, status FROM webhooks_delivery").fetchall())


@pytest.mark.slow
def test_a_receiver_down_for_a_while_gets_every_delivery_once_back(site, worker, make_receiver):
    env, database = site
    receiver = make_receiver(listening=False)
    manage(env, "shell", "-c", SETUP.replace("$URL", receiver.url))
    worker(env)
    time.sleep(3)  # the receiver is down: attempts fail and are retried
    assert set(_statuses(database).values()) == {"pending"}
    receiver.listen()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and set(_statuses(database).values()) != {"delivered"}:
        time.sleep(0.2)
    statuses = _statuses(database)
    assert len(statuses) == EVENTS and set(statuses.values()) == {"delivered"}, statuses
    received = [headers["X-Webhook-Id"] for headers, _ in receiver.requests]
    assert sorted(received) == sorted(statuses)  # every event, each once
    with sqlite3.connect(database) as connection:
        failed = connection.execute(
            "SELECT COUNT(*) FROM webhooks_attempt WHERE status_code IS NULL"
        ).fetchone()
    assert failed[0] >= EVENTS  # each was tried while the receiver was down
