"""Readers through Varnish while imports change every article (gunicorn, the publish worker and
varnishd with the shipped VCL, on PostgreSQL): no errors, no "not found" window for articles that
exist before and after, and no stale page more than 1 s after an import's commit.

How staleness is measured: each import appends "Edited in load run N." to every file, so a page
shows which import it reflects. An import has committed when its command has exited; every read
of an article that started more than 1 s after that must show run N or later."""

import random
import re
import shutil
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from ..conftest import CORPUS, SEED_FILE, SEED_SLUG
from .conftest import http

pytestmark = pytest.mark.faults

LOAD_SECONDS = 20
CONNECTIONS = 8
STALE_AFTER = 1.0
ARTICLE_FILES = {".md", ".markdown", ".mdx", ".txt"}
RUN = re.compile(r"Edited in load run (\d+)\.")
PUBLIC_SLUGS = "from articles.models import Article; print(' '.join(Article.objects.published().values_list('slug', flat=True)))"


@dataclass
class Read:
    started: float
    slug: str
    status: int
    run: int  # the last import the page reflects, 0 for none


def test_load_through_the_edge_during_imports_has_no_errors_and_no_stale_page(
    site, main_postgres_database, tmp_path
):
    made = site(main_postgres_database)
    batch = tmp_path / "batch"
    shutil.copytree(CORPUS, batch)
    shutil.copy(SEED_FILE, batch / SEED_FILE.name)
    made.manage("import_seeds", str(batch), check=False)  # the corpus has files it refuses
    slugs = made.shell(PUBLIC_SLUGS).split()
    assert SEED_SLUG in slugs and len(slugs) > 30
    made.start_web()
    made.start_worker()
    reads, stop = [], threading.Event()

    def reader(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            slug, started = rng.choice(slugs), time.monotonic()
            status, _, body = http(f"{made.edge}/blog/{quote(slug)}")
            reads.append(Read(started, slug, status, max(map(int, RUN.findall(body)), default=0)))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    committed = {}  # import run -> when its command had exited
    started = time.monotonic()
    try:
        while time.monotonic() - started < LOAD_SECONDS - 3:
            run = len(committed) + 1
            for path in (path for path in batch.iterdir() if path.suffix in ARTICLE_FILES):
                text = path.read_text(encoding="utf-8")
                path.write_text(text + f"\n\nEdited in load run {run}.\n", encoding="utf-8")
            made.manage("import_seeds", str(batch), check=False)
            committed[run] = time.monotonic()
        # Reads after the last commit too: they are the ones the staleness check looks at.
        time.sleep(max(3.0, LOAD_SECONDS - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert [read for read in reads if read.status != 200] == []
    last_commit = max(committed.values())
    checked = [read for read in reads if read.started > last_commit + STALE_AFTER]
    assert len(checked) > 100, (len(committed), len(reads), len(checked))
    lag = {}  # slug -> how long after a commit it was still read stale through the edge
    for read in reads:
        for run, at in committed.items():
            if read.started > at + STALE_AFTER and read.run < run:
                lag[read.slug] = max(lag.get(read.slug, 0.0), round(read.started - at, 2))
    assert lag == {}, (
        f"{len(lag)} of {len(slugs)} pages stale after {STALE_AFTER} s: {sorted(lag.items(), key=lambda item: -item[1])[:10]}"
    )
