"""How PostgreSQL stores the large values we write: compressed with lz4 rather than its default,
pglz. An article's body, its HTML and its search vector, and the body of each version in its
history, are mostly over the 2 KB at which PostgreSQL compresses a value, so an import compresses
each of them once; with pglz that was a sixth of the PostgreSQL server's CPU in an import (issue 11:
5.76 → 4.76 s of server CPU for 3,000 files, bench/README.md), and reading one back (an uncached
page) decompresses it. Set per column, in migrations (compress_with_lz4), so a dump and restore keeps
it. Values already stored stay as they are until they are written again; both read back the same.
"""

from django.db import migrations

LZ4_SUPPORTED = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def compress_with_lz4(columns):
    """A migration operation: lz4 for `columns` [(table, column)] on PostgreSQL 14 and later built
    with lz4 (Debian's and the official images are); nothing elsewhere. Reversed: the default again."""

    def forwards(apps, schema_editor):
        _set_compression(schema_editor.connection, columns, "lz4")

    def backwards(apps, schema_editor):
        _set_compression(schema_editor.connection, columns, "default")

    return migrations.RunPython(forwards, backwards, elidable=False)


def _set_compression(connection, columns, method):
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(LZ4_SUPPORTED)
        row = cursor.fetchone()
        if not (row and row[0]):  # before PostgreSQL 14, or built without lz4: pglz as before
            return
        for table, column in columns:
            cursor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
            )
