"""Fakes on loopback for the edge tests (an origin, purge targets, Cloudflare's API, CloudFront via
moto) and a real varnishd with the shipped VCL. Every server is started on a free port and stopped
in the fixture's finalizer."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from publishing.changes import Change, EventKind

from ..tooling import free_port, require

ROOT = Path(__file__).resolve().parents[2]
RUN_VARNISH = ROOT / "deploy" / "varnish" / "run.sh"


@dataclass
class Seen:
    """A request the fake received; header names in lower case."""

    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""


class FakeServer:
    """An HTTP server on loopback that records every request and answers with respond(seen)."""

    def __init__(self, respond=lambda seen: Answer()):
        self.requests = []
        self.respond = respond
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self):
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                headers = {name.lower(): value for name, value in self.headers.items()}
                seen = Seen(self.command, self.path, headers, self.rfile.read(length))
                server.requests.append(seen)
                answer = server.respond(seen)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def stopped_after(server_class):
    """The body of a fixture that yields start(*args) -> server_class(*args), and stops every
    server it started afterwards."""
    started = []

    def start(*args):
        started.append(server_class(*args))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fake_server():
    """fake_server(respond) -> a FakeServer; respond(seen) returns an Answer (default: 200, empty)."""
    yield from stopped_after(FakeServer)


# What the site sends with a public page (engineer PAGES' headers): cacheable at the edge only.
PUBLIC = {
    "Cache-Control": "max-age=0, must-revalidate, public",
    "Surrogate-Control": "max-age=300",
    "Content-Type": "text/html; charset=utf-8",
}


class Origin:
    """The site behind Varnish, faked: pages by path, each with its headers; the body counts the
    fetches of that path ("/a #2"), so a test sees whether Varnish answered from its cache."""

    def __init__(self, fake_server):
        self.pages = {}
        self.fetches = Counter()
        self.server = fake_server(self.answer)

    def page(self, path, keys="", **headers):
        self.pages[path] = {
            **PUBLIC,
            **({"xkey": keys, "Cache-Tag": keys.replace(" ", ",")} if keys else {}),
            **headers,
        }

    def answer(self, seen):
        path = seen.path.split("?")[0]
        self.fetches[path] += 1
        if path not in self.pages:
            return Answer(404, {"Content-Type": "text/plain"}, b"not found")
        headers = {name: value for name, value in self.pages[path].items() if value is not None}
        return Answer(200, headers, f"{path} #{self.fetches[path]}".encode())


@pytest.fixture
def origin(fake_server):
    return Origin(fake_server)


def get(url, headers=None, method="GET"):
    """(status, headers, body text) of a request; HTTP errors are answers too, and nobody listening
    is status 0."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()
    except OSError:
        return 0, {}, ""


class Varnish:
    """varnishd started by deploy/varnish/run.sh (the shipped VCL) in front of `origin_address`,
    with a second listener that speaks the PROXY protocol, so a test can claim another client
    address (the purge ACL)."""

    def __init__(self, origin_address):
        self.port, self.proxied_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Not under pytest's tmp_path: run as root, varnishd drops to the varnish user, who cannot
        # enter pytest's private (0700) base directory.
        self.run_dir = tempfile.mkdtemp(prefix="cms-edge-varnish-")
        self.log = open(os.path.join(self.run_dir, "varnishd.log"), "w+")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                *(RUN_VARNISH, origin_address, f"127.0.0.1:{self.port}", self.run_dir),
                *("-a", f"127.0.0.1:{self.proxied_port},PROXY"),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"varnishd did not start: {self.output()}")

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture
def varnish():
    """varnish(origin_address) -> a running Varnish with the shipped VCL; stopped by PID after."""
    require(shutil.which("varnishd"), "varnishd (apt-get install varnish varnish-modules)")
    yield from stopped_after(Varnish)


@pytest.fixture
def make_change():
    """make_change(keys=..., paths=..., id=...) -> a Change as the publishing dispatcher hands it over."""

    def make(keys=(), paths=(), id=None, kind=EventKind.UPDATED):
        return Change(
            id=id or uuid.uuid4().hex,
            kind=kind,
            occurred_at=datetime.now(UTC),
            keys=frozenset(keys),
            paths=frozenset(paths),
        )

    return make


@pytest.fixture
def cloudfront(monkeypatch):
    """(endpoint URL, distribution id) of a CloudFront faked by moto's server on loopback."""
    import boto3
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    origin = {
        "Id": "site",
        "DomainName": "example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }
    distribution = client.create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,  # moto keeps distributions across servers
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "allow-all"},
            "Comment": "",
            "Enabled": True,
        }
    )
    yield endpoint, distribution["Distribution"]["Id"]
    server.stop()
