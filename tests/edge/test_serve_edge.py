"""make serve-edge (deploy/serve-edge.sh): the site answers through Varnish on EDGE_PORT, gunicorn
on BIND, and SIGTERM or Ctrl-C (SIGINT) to the script stops gunicorn, the worker and varnishd (run by
bin/together), leaving nothing behind, Varnish's working directory included."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ..tooling import free_port, require
from .conftest import ROOT, get

pytestmark = pytest.mark.slow


def children(pid):
    """The PIDs whose parent is pid (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def serve_edge(tmp_path):
    """start(secret_key=...) -> (the script, edge URL, gunicorn URL, log): deploy/serve-edge.sh on
    free ports with its own database, cache and media; killed with all it started if still running."""
    require(shutil.which("varnishd"), "varnishd (apt-get install varnish varnish-modules)")
    started = []

    def start(secret_key="serve-edge-not-secret-" + "x" * 40):
        started.append(run_serve_edge(tmp_path, secret_key))
        return started[-1]

    yield start
    for script, *_ in started:
        if script.poll() is None:
            script.send_signal(signal.SIGTERM)  # the script's own cleanup first
            try:
                script.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(script.pid, signal.SIGKILL)  # its own session: the script and its children
                script.wait()


def run_serve_edge(tmp_path, secret_key):
    bind, edge = f"127.0.0.1:{free_port()}", free_port()
    # Not the test run's settings (DJANGO_SETTINGS_MODULE is tests.settings, which sets a key).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CACHE_", "VARNISH_"))
    }
    env.update(
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        CACHE_URL=f"filecache://{tmp_path}/cache",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        BIND=bind,
        EDGE_PORT=str(edge),
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    log = tmp_path / "serve-edge.log"
    with open(log, "w") as output:
        script = subprocess.Popen(
            [ROOT / "deploy" / "serve-edge.sh"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return script, f"http://127.0.0.1:{edge}", f"http://{bind}", log


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_answers_through_varnish_and_stops_everything_on_a_signal(serve_edge, stop_signal):
    script, edge, site, log = serve_edge()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and script.poll() is None:
        if get(edge + "/blog/")[0] == 200:
            break
        time.sleep(0.5)
    status, headers, _ = get(edge + "/blog/")
    assert (status, "X-Cache" in headers) == (200, True), log.read_text()
    https = {"X-Forwarded-Proto": "https"}  # as from the TLS terminator: no redirect to https
    assert get(site + "/ping", https)[0] == 200
    (together,) = children(script.pid)  # bin/together, which runs the three
    started = children(together)
    assert len(started) == 3  # gunicorn, the worker, varnishd
    # The worker purges the Varnish the script started.
    (worker,) = [pid for pid in started if b"manage.py" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    (varnishd,) = [
        pid for pid in started if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"varnishd")
    ]
    arguments = Path(f"/proc/{varnishd}/cmdline").read_bytes().split(b"\0")
    run_dir = Path(arguments[arguments.index(b"-n") + 1].decode()).parent  # the script's to remove
    assert run_dir.is_dir()
    purge_url = f"{edge}/".encode()
    assert b"VARNISH_PURGE_URL=" + purge_url in Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    assert get(edge + "/", {"xkey-purge": "site"}, method="PURGE")[0] == 200

    script.send_signal(stop_signal)
    assert script.wait(timeout=60) == 128 + stop_signal
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(alive, [together, *started])):
        time.sleep(0.2)
    assert not [pid for pid in [together, *started] if alive(pid)]
    assert not run_dir.exists()
    assert get(edge + "/blog/")[0] == 0 and get(site + "/ping", https)[0] == 0


def test_refuses_to_start_without_a_secret_key(serve_edge):
    script, _, _, log = serve_edge(secret_key="")
    assert script.wait(timeout=60) != 0
    assert "Set DJANGO_SECRET_KEY (make serve-edge runs with DEBUG off)" in log.read_text()
