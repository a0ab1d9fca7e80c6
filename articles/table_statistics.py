"""Planner statistics kept current while an import grows the article tables (PostgreSQL).

A new database's tables have no statistics until autovacuum analyzes them, at most once a minute and
only after a tenth of a table changed. Through an import into a new or small database the planner
therefore takes the article table for a few rows, and plans the outbox's snapshot of each batch (each
article's neighbours: a seek each along article_public_order_idx) as a bitmap scan of every public
article older than it, then a sort: 2.6 ms an article at 3,000 articles and growing with them
(530 ms for a batch of 200; EXPLAIN ANALYZE in bench/README.md). An ANALYZE of the tables an import
grows, each time their articles have doubled since the last one, keeps those plans on the index:
about log2(N / MIN_ROWS) of them an import, each a sample of at most 30,000 rows. SQLite plans by
its indexes' shape, not by statistics, and needs none."""

from django.db import DEFAULT_DB_ALIAS, connections

TABLES = ("articles_article", "articles_article_tags", "articles_tag", "articles_author")
MIN_ROWS = 200


class GrowthWatch:
    """Told how many articles each committed batch created; analyzes the tables when they doubled."""

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.connection = connections[using]
        self.active = self.connection.vendor == "postgresql"
        self.size = None  # the articles as of the last ANALYZE (or the start)
        self.grown = 0

    def created(self, rows):
        if not self.active or not rows:
            return
        if self.size is None:
            with self.connection.cursor() as cursor:
                # -1 for a table never analyzed (PostgreSQL 14 and later), 0 before 14.
                cursor.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE relname = %s", [TABLES[0]])
                self.size = int(cursor.fetchone()[0])
        self.grown += rows
        if self.grown >= max(MIN_ROWS, self.size):
            analyze(self.connection)
            self.size += self.grown
            self.grown = 0


def analyze(connection):
    """ANALYZE the tables an import grows. (PostgreSQL writes a table's row estimate in place, not
    undone by a rollback: tests record the calls instead, tests/conftest.py.)"""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(TABLES)}")
