"""Issue 11: full-text search on SQLite, an FTS5 index kept by triggers (articles/sqlite_search.py),
filled from every article. Nothing on PostgreSQL, whose search has its vector and GIN index (0006).

It calls today's install(), as 0006 calls today's render(): the index is derived data, and a later
migration that rebuilds articles_article on SQLite calls install() again."""

from django.db import migrations


def install(apps, schema_editor):
    from articles import sqlite_search

    sqlite_search.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from articles import sqlite_search

    sqlite_search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_search_vector_per_language"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
