"""What the database plans to do with a query, so that a test can pin that a page's queries seek by
an index instead of reading every row (issue 11: 100,000 articles at the cost of 1,000).

Small test tables make PostgreSQL prefer a sequential scan whatever the indexes, so there the plan
is asked for with sequential scans discouraged: the question is whether an index *can* serve the
query, which is what a large table's planner needs.

`in_order=True` discourages sorts too, for a query whose promise is that an index gives its order
(a LIMIT 1 of the next time, a sitemap section): sorting a few test rows is as cheap as anything, so
with sorts allowed which index the planner took depended on what earlier tests had left in its
statistics (seen in full runs only). A Sort still shows when no index can give the order."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plans_of(run, in_order=False):
    """The plan (text) of every query `run()` executes, in order."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return [plan(query["sql"], in_order) for query in captured.captured_queries]


def plan(sql, in_order=False):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SET LOCAL enable_sort = {'off' if in_order else 'on'}")
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
