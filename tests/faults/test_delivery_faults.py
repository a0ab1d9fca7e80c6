"""No event is lost to a fault: a real `publish_worker` on PostgreSQL delivers every committed change
to a webhook receiver on loopback when the worker is killed mid-delivery and started again, when
the receiver is down for 30 s, and when the database goes away and comes back (the same worker,
not restarted). A receiver may see an event again only when the worker died during its POST; it
acts once per X-Webhook-Id, so the check is on the ids it received."""

import signal
import time
from collections import Counter

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.faults

HOOK = """
from webhooks.models import Webhook
Webhook.objects.create(name="Mirror", url={url!r}, events=["article.published"])
"""
PUBLISH = """
from django.db import transaction
from django.utils import timezone
from articles.models import Article
for number in range({count}):
    with transaction.atomic():
        Article.objects.create(title=f"{prefix} {{number}}", slug=f"{prefix}-{{number}}", body="Body.",
                               published=timezone.now())
"""
DELIVERIES = """
from webhooks.models import Delivery
from publishing.models import Event
events = {pk.hex for pk in Event.objects.filter(kind="article.published").values_list("pk", flat=True)}
delivered = set(Delivery.objects.filter(status="delivered").values_list("event_id", flat=True))
print(len(events), len(delivered), ",".join(sorted(events - {e.replace("-", "") for e in delivered})))
"""


def publish(site, count, prefix):
    site.shell(PUBLISH.format(count=count, prefix=prefix))


def ids(receiver):
    """How many times the receiver was sent each X-Webhook-Id."""
    return Counter(headers["X-Webhook-Id"] for headers, _ in receiver.requests)


def all_delivered(site, count):
    """True once `count` events exist and each has a delivery marked delivered."""
    events, delivered, _ = (site.shell(DELIVERIES) + " ").split(" ", 2)
    return int(events) == count and int(delivered) == count


def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_event_once(
    site, main_postgres_database, make_receiver
):
    made = site(main_postgres_database, WEBHOOK_TIMEOUT="5")
    receiver = make_receiver()
    made.shell(HOOK.format(url=receiver.url))
    receiver.delay = 3  # the first POST is still waiting for its answer when the worker dies
    worker = made.start_worker()
    publish(made, 5, "killed")
    assert wait_for(lambda: receiver.requests, 30), "the worker sent nothing"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    receiver.delay = 0
    made.start_worker()

    assert wait_for(lambda: len(ids(receiver)) == 5 and all_delivered(made, 5), 60), (
        ids(receiver),
        made.shell(DELIVERIES),
    )
    time.sleep(2)  # a claim's length: time for any second send to show
    seen = ids(receiver)
    (in_flight,) = {headers["X-Webhook-Id"] for headers, _ in receiver.requests[:1]}
    assert {event_id for event_id, times in seen.items() if times > 1} <= {in_flight}, seen


def test_a_receiver_down_for_30_s_gets_every_delivery_once_back(site, main_postgres_database, make_receiver):
    made = site(main_postgres_database)
    receiver = make_receiver(listening=False)
    made.shell(HOOK.format(url=receiver.url))
    made.start_worker()
    publish(made, 3, "down")
    time.sleep(30)
    assert made.shell(DELIVERIES).split()[:2] == ["3", "0"]
    receiver.listen()
    # WEBHOOK_RETRY_MAX_SECONDS (3 s) is the longest wait between tries.
    assert wait_for(lambda: all_delivered(made, 3), 15), made.shell(DELIVERIES)
    assert sorted(ids(receiver).values()) == [1, 1, 1]


def test_changes_committed_before_a_database_outage_are_delivered_after_it(
    site, throwaway_cluster, make_receiver
):
    import psycopg

    with psycopg.connect(throwaway_cluster.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE cms")
    made = site(throwaway_cluster.url.rsplit("/", 1)[0] + "/cms")
    receiver = make_receiver(listening=False)
    made.shell(HOOK.format(url=receiver.url))
    worker = made.start_worker()
    publish(made, 3, "outage")
    throwaway_cluster.stop()  # at once: the worker may be anywhere in its work
    receiver.listen()
    time.sleep(5)
    assert worker.poll() is None, "the worker exited when the database went away"
    throwaway_cluster.start()
    assert wait_for(lambda: all_delivered(made, 3), 30), made.shell(DELIVERIES)
    assert len(ids(receiver)) == 3 and worker.poll() is None
