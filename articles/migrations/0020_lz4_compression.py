"""Issue 11: the article's large columns, and its versions', compressed with lz4 on PostgreSQL
(cms/postgres_storage.py); nothing on SQLite."""

from django.db import migrations

from cms.postgres_storage import compress_with_lz4


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_import_hash_index"),
    ]

    operations = [
        compress_with_lz4(
            [
                ("articles_article", "body"),
                ("articles_article", "body_html"),
                ("articles_article", "front_matter_raw"),
                ("articles_article", "headings"),
                ("articles_article", "search_vector"),
                ("articles_historicalarticle", "body"),
                ("articles_historicalarticle", "front_matter_raw"),
                ("articles_autosave", "fields"),
            ]
        )
    ]
