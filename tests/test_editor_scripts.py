"""The change form's scripts count as the site counts (static/articles/admin/editor-stats.js)."""

import re
from pathlib import Path

from django.conf import settings

from articles.markdown import WORDS_PER_MINUTE

EDITOR_STATS = Path(settings.BASE_DIR) / "static" / "articles" / "admin" / "editor-stats.js"


def test_the_editors_reading_time_reads_as_fast_as_the_sites():
    found = re.search(r"var WORDS_PER_MINUTE = (\d+);", EDITOR_STATS.read_text(encoding="utf-8"))
    assert found and int(found[1]) == WORDS_PER_MINUTE
