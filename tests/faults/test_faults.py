"""Holding up under load and faults: a load run while an import changes articles, and the
database going away under the running site."""

import random
import shutil
import threading
import time
from collections import Counter
from urllib.parse import quote

import pytest

from ..conftest import CORPUS, SEED_FILE, SEED_SLUG
from .conftest import get, manage, site_env

pytestmark = pytest.mark.faults

LOAD_SECONDS = 20
CONNECTIONS = 32


def test_load_during_import_has_no_errors_and_no_404_window(tmp_path, main_postgres_database, gunicorn):
    env = site_env(main_postgres_database, tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    batch = tmp_path / "batch"
    shutil.copytree(CORPUS, batch)
    shutil.copy(SEED_FILE, batch / SEED_FILE.name)
    manage(env, "import_seeds", str(batch), check=False)  # the corpus has files it refuses
    slugs = (
        manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "from articles.models import Article; print(' '.join("
            "Article.objects.published().values_list('slug', flat=True)))",
        )
        .stdout.splitlines()[-1]
        .split()
    )
    assert SEED_SLUG in slugs and len(slugs) > 30
    server = gunicorn(env)
    results, stop = Counter(), threading.Event()
    failures = []

    def reader(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            slug = rng.choice(slugs)
            status, _, _ = get(f"{server.base}/blog/{quote(slug)}", timeout=10)
            results[status] += 1
            if status != 200:
                failures.append((slug, status))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    started, imports = time.monotonic(), 0
    try:
        while time.monotonic() - started < LOAD_SECONDS - 3:
            imports += 1
            for path in batch.glob("*.md"):
                text = path.read_text(encoding="utf-8")
                path.write_text(text + f"\n\nEdited in load run {imports}.\n", encoding="utf-8")
            manage(env, "import_seeds", str(batch), check=False)
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    total = sum(results.values())
    assert imports >= 1
    assert failures == [], failures[:10]
    assert total > 100


def test_database_going_away_and_coming_back(tmp_path, throwaway_cluster, gunicorn):
    import psycopg

    with psycopg.connect(throwaway_cluster.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE cms")
    env = site_env(throwaway_cluster.url.rsplit("/", 1)[0] + "/cms", tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "import_seeds")
    server = gunicorn(env)
    article = f"{server.base}/blog/{SEED_SLUG}"
    assert get(article)[0] == 200 and get(server.base + "/healthz")[0] == 200

    throwaway_cluster.stop()
    status, body, seconds = get(server.base + "/healthz")
    assert status == 503 and seconds < 5, (status, seconds)
    # A page in the cache is still served; one that needs the database is a friendly 500, quickly.
    assert get(article)[0] == 200
    status, body, seconds = get(article + "?utm_source=outage")
    assert status == 500 and seconds < 5, (status, seconds)
    assert "Something went wrong" in body and "Traceback" not in body

    throwaway_cluster.start()
    deadline, recovered = time.monotonic() + 15, False
    while time.monotonic() < deadline and not recovered:
        recovered = get(server.base + "/healthz")[0] == 200 and get(article)[0] == 200
        time.sleep(0.3)
    assert recovered, "the site did not recover by itself"
