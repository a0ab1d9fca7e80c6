"""Migrations fill the columns they add for the rows that exist before them: 0006 (reader site)
stores headings, reading time and the anchored body (and, on PostgreSQL, the search vector, in the
same transaction as its GIN index)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0005_admin_editing")]
AFTER = [("articles", "0006_reader_site")]


def test_existing_articles_get_headings_reading_time_and_search_vectors():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Author = old_apps.get_model("articles", "Author")
    Article = old_apps.get_model("articles", "Article")
    author = Author.objects.create(name="Old", slug="old")
    Article.objects.create(
        title="Old one",
        slug="old-one",
        author=author,
        status="published",
        published=timezone.now(),
        body="## A\n\n## B\n\n## C\n\nSome words here.",
        body_html="<p>stale</p>",
    )

    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new_apps = executor.loader.project_state(AFTER).apps
        migrated = new_apps.get_model("articles", "Article").objects.get(slug="old-one")
        assert [h["id"] for h in migrated.headings] == ["a", "b", "c"]
        assert migrated.reading_minutes == 1
        assert 'class="header-anchor"' in migrated.body_html
        if connection.vendor == "postgresql":
            assert migrated.search_vector
    finally:
        # The tests after this one (transactional ones too) expect the latest schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
