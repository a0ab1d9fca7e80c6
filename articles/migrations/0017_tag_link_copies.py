"""Issue 11: a tag page as one index seek. Article.tags' links get copies of their article's
status, published and expires, kept by triggers, and an index in the list's order
(articles/tag_links.py); TagLink reads them. Both backends.

It calls today's install(), as 0016 does: the copies are derived data."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from articles import tag_links

    tag_links.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from articles import tag_links

    tag_links.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_sqlite_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="TagLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(editable=False, max_length=20, null=True)),
                ("published", models.DateTimeField(editable=False, null=True)),
                ("expires", models.DateTimeField(editable=False, null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="articles.article"
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="articles.tag"
                    ),
                ),
            ],
            options={"db_table": "articles_article_tags", "managed": False},
        ),
        migrations.RunPython(install, uninstall),
    ]
