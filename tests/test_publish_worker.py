"""End to end with a real `manage.py publish_worker` on a SQLite file database: a scheduled article
reaches the receivers within 2 s of its time with no request arriving, and a worker killed
mid-delivery and started again still delivers every event, to each receiver once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow
RECEIVERS = "tests.publish_fixtures.logging_receiver,tests.publish_fixtures.second_logging_receiver"


@pytest.fixture
def site(tmp_path):
    """A migrated database of its own, and manage(*args) / start_worker() for processes on it;
    every worker started is stopped by its PID at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PUBLISHING_"))}
    env.update(
        DJANGO_SECRET_KEY="worker-test-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL=f"filecache://{tmp_path / 'cache'}",
        PUBLISHING_RECEIVERS=RECEIVERS,
        PUBLISHING_CLAIM_SECONDS="1",
        PUBLISHING_SWEEP_SECONDS="0.5",
        PUBLISH_TEST_LOG=str(tmp_path / "received.log"),
        PUBLISH_TEST_BLOCK=str(tmp_path / "block"),
    )
    workers = []

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start_worker():
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "publish_worker", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        workers.append(worker)
        return worker

    manage("migrate", "--noinput", "-v", "0")
    yield type(
        "Site",
        (),
        {"manage": staticmethod(manage), "start_worker": staticmethod(start_worker), "tmp": tmp_path},
    )
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)


def received(site):
    log = site.tmp / "received.log"
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def make_article(site, *, published_in):
    code = (
        "from datetime import timedelta; from django.db import transaction; from django.utils import timezone; "
        "from articles.models import Article\n"
        "with transaction.atomic():\n"
        f"    a = Article.objects.create(title='T', slug='t', body='b', published=timezone.now() + timedelta(seconds={published_in}))\n"
        "print(a.pk, a.published.timestamp())"
    )
    pk, at = site.manage("shell", "-v", "0", "-c", code).split()
    return pk, float(at)


def test_a_scheduled_article_reaches_the_receivers_within_2_s_of_its_time(site):
    site.start_worker()
    pk, at = make_article(site, published_in=4)
    assert not wait_for(lambda: received(site), at - time.time() - 0.2)  # nothing before its time
    assert wait_for(lambda: len(received(site)) == 2, at - time.time() + 2), received(site)
    for _, _, kind, article, when in received(site):
        assert (kind, article) == ("article.published", pk) and float(when) - at <= 2


def test_a_worker_killed_mid_delivery_delivers_every_event_once_per_receiver_after_restart(site):
    (site.tmp / "block").touch()
    worker = site.start_worker()
    make_article(site, published_in=-60)
    assert wait_for(lambda: any(line[0] == "logging-blocked" for line in received(site)), 30), received(site)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    (site.tmp / "block").unlink()
    site.start_worker()
    assert wait_for(lambda: {line[0] for line in received(site)} >= {"logging", "second"}, 30), received(site)
    time.sleep(1.5)  # a claim's length and more: time for any duplicate to show
    lines = received(site)
    assert [line[0] for line in lines].count("logging") == 1 and [line[0] for line in lines].count(
        "second"
    ) == 1
    states = site.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from publishing.models import ReceiverState as S; print(sorted(S.objects.values_list('status', flat=True)))",
    )
    assert states.strip() == "['done', 'done']"
