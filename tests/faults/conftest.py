"""Fault and load checks against real servers: gunicorn on PostgreSQL.

They start their own processes on loopback and bound every loop in time; they run once in CI
(`make check-faults`), not in `make test`. With CI=true a missing PostgreSQL fails them.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ..conftest import manage
from ..tooling import free_port, require
from ..webhooks.conftest import make_receiver  # noqa: F401 - the delivery checks' receiver on loopback

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = (
    next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    if Path("/usr/lib/postgresql").exists()
    else None
)
MAIN_PG = os.environ.get("FAULTS_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432")


def site_env(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_", "AWS_"))}
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "faults-not-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CACHE_URL": f"filecache://{tmp_path}/cache",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "STATIC_ROOT": str(tmp_path / "static"),
            "GUNICORN_ACCESS_LOG": "/dev/null",
        }
    )
    return env


def get(url, timeout=10):
    """(status, body, seconds); status 0 for a connection error."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.monotonic() - started
    except OSError:
        return 0, "", time.monotonic() - started


class Gunicorn:
    def __init__(self, env, workers=2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "cms/gunicorn.conf.py", "cms.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if get(self.base + "/ping", timeout=2)[0] == 200:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def gunicorn():
    started = []

    def start(env, workers=2):
        server = Gunicorn(env, workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def as_postgres(*command, **kwargs):
    """Run a PostgreSQL server tool as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        quoted = " ".join(f"'{part}'" for part in map(str, command))
        return subprocess.run(["su", "postgres", "-c", quoted], capture_output=True, text=True, **kwargs)
    return subprocess.run(list(map(str, command)), capture_output=True, text=True, **kwargs)


@pytest.fixture
def main_postgres_database(tmp_path):
    """A fresh database on the main PostgreSQL server (127.0.0.1:5432), dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"cms_faults_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{MAIN_PG}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        require(False, "PostgreSQL on 127.0.0.1:5432")
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {name}")
    yield f"{MAIN_PG}/{name}"
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def throwaway_cluster(tmp_path):
    """A PostgreSQL cluster of our own (initdb) on a spare loopback port: start(), stop(), url."""
    require(PG_BIN is not None and (PG_BIN / "initdb").exists(), "PostgreSQL server binaries (initdb)")
    data = Path(f"/tmp/cms-faults-pg-{os.getpid()}")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    result = as_postgres(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", timeout=120)
    assert result.returncode == 0, result.stderr
    port = free_port()

    class Cluster:
        url = f"postgres://postgres@127.0.0.1:{port}/postgres"

        def start(self):
            result = as_postgres(
                PG_BIN / "pg_ctl",
                "-D",
                data,
                "-w",
                "-l",
                data / "log",
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                "start",
                timeout=60,
            )
            assert result.returncode == 0, result.stderr + result.stdout

        def stop(self):
            as_postgres(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", timeout=60)

    cluster = Cluster()
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(data, ignore_errors=True)


# The publish pipeline end to end (test_edge_*.py, test_delivery_*.py): gunicorn, the publish worker
# and varnishd with the shipped VCL, each a process of the test's own on a free loopback port,
# stopped by its PID at the end. Settings are the production ones, with short retry, sweep and
# claim times so a fault check ends in seconds.
FAST_PIPELINE = {
    "PUBLISHING_CLAIM_SECONDS": "2",
    "PUBLISHING_SWEEP_SECONDS": "0.5",
    "PUBLISHING_RETRY_BASE_SECONDS": "0.5",
    "PUBLISHING_RETRY_CAP_SECONDS": "2",
    "WEBHOOK_TIMEOUT": "2",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    "WEBHOOK_RETRY_MAX_SECONDS": "3",
    "WEBHOOK_MAX_ATTEMPTS": "60",
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
}


def http(url, headers=None, data=None):
    """(status, headers, body text) of one request, redirects not followed; (0, {}, "") when nobody
    answers."""
    request = urllib.request.Request(
        url, data=data, headers={"X-Forwarded-Proto": "https", **(headers or {})}
    )
    try:
        with _NO_REDIRECTS.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    except OSError:
        return 0, {}, ""


class _Unredirected(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_Unredirected)


def wait_for(condition, seconds, step=0.05):
    """condition()'s first true value within `seconds` (polled), else its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


class Site:
    """The site's processes on one database: start_web() (gunicorn and varnishd in front),
    start_worker(), shell(code) and manage(*args) as subprocesses on the same database and cache."""

    def __init__(self, database_url, tmp_path, **settings):
        self.env = {**site_env(database_url, tmp_path), **FAST_PIPELINE, **settings}
        self.processes = []
        self.run_dir = None
        self.edge = None
        manage(self.env, "migrate", "--noinput", "-v", "0")

    def manage(self, *args, check=True):
        return manage(self.env, *args, check=check)

    def shell(self, code):
        """Run `code` in `manage.py shell` on the site's database; returns its last output line."""
        result = manage(self.env, "shell", "-v", "0", "-c", code, check=False)
        assert result.returncode == 0, result.stderr
        return (result.stdout.strip().splitlines() or [""])[-1]

    def start_web(self):
        """gunicorn, and varnishd in front of it; the worker purges that varnishd."""
        require(shutil.which("varnishd"), "varnishd (apt-get install varnish varnish-modules)")
        self.manage("collectstatic", "--noinput", "-v", "0")
        edge_port = free_port()
        self.env["VARNISH_PURGE_URL"] = f"http://127.0.0.1:{edge_port}/"
        self.gunicorn = Gunicorn(self.env)
        self.processes.append(self.gunicorn.process)
        # Not under pytest's tmp_path: run as root, varnishd drops to the varnish user, who cannot
        # enter pytest's private (0700) base directory.
        self.run_dir = tempfile.mkdtemp(prefix="cms-faults-varnish-")
        varnish = subprocess.Popen(
            [
                ROOT / "deploy" / "varnish" / "run.sh",
                self.gunicorn.base[7:],
                f"127.0.0.1:{edge_port}",
                self.run_dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(varnish)
        self.edge = f"http://127.0.0.1:{edge_port}"
        assert wait_for(lambda: http(self.edge + "/ping")[0] == 200, 30), "varnishd did not start"

    def start_worker(self):
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "publish_worker", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(worker)
        return worker

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self.run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture
def site(tmp_path):
    """site(database_url, **env) -> a migrated Site; every process it started is stopped after."""
    sites = []

    def make(database_url, **settings):
        sites.append(Site(database_url, tmp_path, **settings))
        return sites[-1]

    yield make
    for made in sites:
        made.stop()
