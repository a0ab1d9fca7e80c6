"""Webhook test helpers: a receiver on loopback, a Change, webhooks, and running queued tasks."""

import itertools
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from publishing.changes import Change, EventKind

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    """Receivers in these tests listen on loopback, which production refuses by default."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


class Receiver:
    """What the receiver was sent, and what it answers: `answers` is consumed one status per
    request (200 once empty); `delay` seconds pass before each answer."""

    def __init__(self, server):
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        self.requests = []  # (headers as a dict, raw body)
        self.answers = []
        self.delay = 0.0
        self.listening = False

    def listen(self):
        self._server.server_activate()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.listening = True

    def bodies(self):
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def make_receiver():
    """make_receiver(listening=True): a webhook receiver, an HTTP server on 127.0.0.1 that records
    every POST. Made with listening=False it holds its port but refuses connections (a receiver
    that is down) until its listen()."""
    servers = []

    def make(listening=True):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _ReceiverHandler, bind_and_activate=False)
        server.daemon_threads = True
        server.server_bind()
        server.receiver = Receiver(server)
        servers.append(server)
        if listening:
            server.receiver.listen()
        return server.receiver

    yield make
    for server in servers:
        if server.receiver.listening:
            server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(make_receiver):
    return make_receiver()


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver.requests.append((dict(self.headers.items()), body))
        status = receiver.answers.pop(0) if receiver.answers else 200
        time.sleep(receiver.delay)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the sender gave up waiting and closed the connection

    def log_message(self, *args):
        pass


@pytest.fixture
def make_change():
    """make_change(**fields): a Change as the outbox hands it to receivers, with a fresh id."""

    def make(**overrides):
        number = next(_numbers)
        values = {
            "id": uuid.uuid4().hex,
            "kind": EventKind.PUBLISHED,
            "occurred_at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            "keys": frozenset({f"article-{number}", "list"}),
            "paths": frozenset({f"/blog/article-{number}"}),
            "article": {"id": number, "slug": f"article-{number}", "title": f"Article {number}"},
        }
        values.update(overrides)
        return Change(**values)

    return make


@pytest.fixture
def make_webhook(db):
    """make_webhook(url, events=[...], **fields): a saved, active webhook (all events by default)."""
    from webhooks.models import Webhook

    def make(url, **overrides):
        values = {"name": f"Hook {next(_numbers)}", "url": url, "events": list(EventKind.ALL)}
        values.update(overrides)
        return Webhook.objects.create(**values)

    return make


@pytest.fixture
def queued_sends(db):
    """queued_sends() -> [(args, run_after or None)] of the send tasks waiting to run."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    def queued():
        rows = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path="webhooks.tasks.send_delivery"
        ).order_by("run_after")
        return [
            (row.args_kwargs["args"], None if row.run_after == get_date_max() else row.run_after)
            for row in rows
        ]

    return queued
