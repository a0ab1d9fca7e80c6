"""Migration 0008 renders the stored pages of existing articles again, so that they skip no heading
level either; the Markdown stays as written."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0007_history_reader_fields")]
AFTER = [("articles", "0008_close_heading_gaps")]
BODY = "## Mistakes\n\n#### 1. One\n\n#### 2. Two"


def _migrate(targets=None):
    """Migrate to `targets` (the latest migrations without) and return the apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_articles_get_their_heading_gaps_closed():
    old_apps = _migrate(BEFORE)
    author = old_apps.get_model("articles", "Author").objects.create(name="Old", slug="old")
    old_apps.get_model("articles", "Article").objects.create(
        title="Old one",
        slug="old-one",
        author=author,
        status="published",
        published=timezone.now(),
        body=BODY,
        body_html='<h2 id="mistakes">Mistakes</h2><h4 id="1-one">1. One</h4><h4 id="2-two">2. Two</h4>',
        headings=[{"level": 2, "id": "mistakes"}, {"level": 4, "id": "1-one"}, {"level": 4, "id": "2-two"}],
    )
    try:
        migrated = _migrate(AFTER).get_model("articles", "Article").objects.get()
        assert [(h["level"], h["id"]) for h in migrated.headings] == [
            (2, "mistakes"),
            (3, "1-one"),
            (3, "2-two"),
        ]
        assert '<h3 id="1-one">' in migrated.body_html and "<h4" not in migrated.body_html
        assert migrated.body == BODY
    finally:
        _migrate()  # the tests after this one expect the latest schema
