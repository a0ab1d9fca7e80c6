from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SEED_SLUG = "common-it-outsourcing-mistakes-to-avoid"
SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "seeds" / "000_1fed10c48dc6640d.txt"


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
