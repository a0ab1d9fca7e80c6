"""Fault and load checks against real servers: gunicorn on PostgreSQL.

They start their own processes on loopback and bound every loop in time; they run once in CI
(`make check-faults`), not in `make test`. With CI=true a missing PostgreSQL fails them.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ..conftest import manage  # noqa: F401 - the fault tests take it from here
from ..tooling import require

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = (
    next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    if Path("/usr/lib/postgresql").exists()
    else None
)
MAIN_PG = os.environ.get("FAULTS_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
