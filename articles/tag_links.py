"""A tag's public articles as one index seek: each article-tag link carries a copy of its article's
status, published and expires, kept by triggers, and is indexed in the list's order (issue 11).

Without the copies a tag page walked every public article newest first and probed the link table
for each until a page was full: about 21 x 92,000 / n probes for a tag on n of 92,000 public
articles, 255 ms at the 90th percentile at 100,000 articles on SQLite. With them it reads the
tag's own entries of `article_tag_public_order_idx` (tag_id, status, -published, -article_id,
expires): the same seek for a popular tag, a rare one, and a deep `?before=` page.

The copies are columns of Article.tags' own table (articles_article_tags), not fields of an
explicit through model: the admin offers no field for a many-to-many with a through model of its
own, and every writer (the admin, the importer, bulk_create in bench/synthetic, a queryset's
update(), a restore) would have to remember them. Triggers, as for the search index
(articles/sqlite_search.py), keep them exact whoever writes, on SQLite and PostgreSQL alike:

- a link inserted, or its article_id or copies written by anyone: the copies are read from its
  article (a write of the copies themselves is undone);
- an article whose status, published or expires changed: its links take the new values;
- an article deleted: Django deletes its links first (the foreign key).

TagLink is a read-only model over that table, for the tag page and the tag feeds.

On SQLite, a migration that rebuilds articles_article (most AlterFields on Article) must call
uninstall_triggers() before it and install() after: the links' triggers name articles_article,
and SQLite refuses to rename the rebuilt table into place while they do ("error in trigger
articles_tag_link_insert: no such table"); the rebuild also drops the trigger on articles_article.
tests/test_tag_links.py fails while a trigger or the index is missing."""

from django.db import models

from .models import Article, PublicationQuerySet, Tag

TABLE = "articles_article_tags"
INDEX = "article_tag_public_order_idx"
COPIED = ("status", "published", "expires")
SQLITE_TRIGGERS = ("articles_tag_link_insert", "articles_tag_link_update", "articles_tag_link_article")
# PostgreSQL: each trigger runs a function of the same name.
POSTGRESQL_TRIGGERS = {"articles_tag_link_copy": TABLE, "articles_tag_link_article": "articles_article"}


class TagLink(models.Model):
    """One row of Article.tags' table, with its article's status, published and expires as copied
    by the triggers. Read it; write tags through Article.tags."""

    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.DO_NOTHING, related_name="+")
    # NULL until the insert trigger has copied them (SQLite's triggers run after the insert).
    status = models.CharField(max_length=20, null=True, editable=False)  # noqa: DJ001
    published = models.DateTimeField(null=True, editable=False)
    expires = models.DateTimeField(null=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        managed = False  # the table is Article.tags'; the copies and index are install()'s
        db_table = TABLE

    def __str__(self):
        return f"{self.article_id} tagged {self.tag_id}"


def _changed(old, new, distinct):
    return " OR ".join(f"{old}.{column} {distinct} {new}.{column}" for column in COPIED)


def _copy_from_article(link):
    return f"(SELECT status, published, expires FROM articles_article WHERE articles_article.id = {link}.article_id)"


def _sqlite_statements():
    copies = ", ".join(COPIED)
    refresh = f"UPDATE {TABLE} SET ({copies}) = {_copy_from_article('new')} WHERE id = new.id;"
    spread = ", ".join(f"{column} = new.{column}" for column in COPIED)
    on_insert = f"AFTER INSERT ON {TABLE} BEGIN {refresh} END"
    # Not recursive: SQLite does not fire a trigger from its own UPDATE (recursive_triggers off).
    on_update = f"AFTER UPDATE OF article_id, {copies} ON {TABLE} BEGIN {refresh} END"
    on_article = (
        f"AFTER UPDATE OF {copies} ON articles_article WHEN {_changed('old', 'new', 'IS NOT')} "
        f"BEGIN UPDATE {TABLE} SET {spread} WHERE article_id = new.id; END"
    )
    return [
        *(
            f"CREATE TRIGGER IF NOT EXISTS {name} {body}"
            for name, body in zip(SQLITE_TRIGGERS, (on_insert, on_update, on_article), strict=True)
        ),
        f"UPDATE {TABLE} SET ({copies}) = {_copy_from_article(TABLE)}",
    ]


def _postgresql_statements():
    copies = ", ".join(COPIED)
    spread = ", ".join(f"{column} = NEW.{column}" for column in COPIED)
    copy = (
        f"SELECT {copies} INTO {', '.join(f'NEW.{column}' for column in COPIED)} "
        "FROM articles_article WHERE id = NEW.article_id; RETURN NEW;"
    )
    spread_to_links = f"UPDATE {TABLE} SET {spread} WHERE article_id = NEW.id; RETURN NULL;"
    on_link = f"BEFORE INSERT OR UPDATE OF article_id, {copies} ON {TABLE} FOR EACH ROW"
    on_article = (
        f"AFTER UPDATE OF {copies} ON articles_article FOR EACH ROW "
        f"WHEN ({_changed('OLD', 'NEW', 'IS DISTINCT FROM')})"
    )
    statements = []
    for (name, table), body, event in zip(
        POSTGRESQL_TRIGGERS.items(), (copy, spread_to_links), (on_link, on_article), strict=True
    ):
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} {event} EXECUTE FUNCTION {name}()",
        ]
    return [*statements, f"UPDATE {TABLE} SET ({copies}) = {_copy_from_article(TABLE)}"]


def install(connection):
    """Add the copies, their index and their triggers where missing, and fill the copies from every
    article: for migrations."""
    timestamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        present = {column.name for column in connection.introspection.get_table_description(cursor, TABLE)}
        types = {"status": "varchar(20)", "published": timestamp, "expires": timestamp}
        for column in COPIED:
            if column not in present:
                cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN {column} {types[column]} NULL")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} "
            "(tag_id, status, published DESC, article_id DESC, expires)"
        )
        statements = _postgresql_statements() if connection.vendor == "postgresql" else _sqlite_statements()
        for statement in statements:
            cursor.execute(statement)


def uninstall_triggers(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for trigger, table in POSTGRESQL_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
        else:
            for trigger in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def uninstall(connection):
    uninstall_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        for column in COPIED:
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN {column}")
