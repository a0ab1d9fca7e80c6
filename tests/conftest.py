import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SEED_SLUG = "common-it-outsourcing-mistakes-to-avoid"
SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "seeds" / "000_1fed10c48dc6640d.txt"
CORPUS = Path(__file__).parent / "data" / "corpus"


def corpus_manifest():
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run in CI's PostgreSQL pass; on SQLite they are deselected, not skipped
    (under CI=true nothing is skipped)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if "postgresql" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "postgresql" in item.keywords])
        items[:] = kept


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages and no page-cache state: the database rolls back between
    tests, a cache (Redis in CI) does not. Only this run's keys go (the key prefix), never a shared
    Redis database."""
    from django.core.cache import caches

    for cache in caches.all():
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("*")
        else:
            cache.clear()


@pytest.fixture
def seed_article(db):
    from articles.models import Article

    call_command("import_seeds", stdout=StringIO())
    return Article.objects.select_related("author").get(slug=SEED_SLUG)


@pytest.fixture
def write_seed(tmp_path):
    """Write a seed file and return its path: write_seed("name.md", "---\\ntitle: x\\n---\\nbody")."""

    def write(name, content):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def laid_out_corpus(tmp_path):
    """Copy each corpus file to tmp/<corpus name>/<original name>; return {copy: corpus name}."""
    copies = {}
    for row in corpus_manifest():
        folder = tmp_path / row["file"].rsplit(".", 1)[0]
        folder.mkdir()
        copy = folder / Path(row["path_in_repo"]).name
        shutil.copyfile(CORPUS / row["file"], copy)
        copies[copy] = row["file"]
    return copies
