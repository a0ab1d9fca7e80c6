"""What the database plans to do with a query, so that a test can pin that a page's queries seek by
an index instead of reading every row (issue 11: 100,000 articles at the cost of 1,000).

Small test tables make PostgreSQL prefer a sequential scan whatever the indexes, so there the plan
is asked for with sequential scans discouraged: the question is whether an index *can* serve the
query, which is what a large table's planner needs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plans_of(run):
    """The plan (text) of every query `run()` executes, in order."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return [plan(query["sql"]) for query in captured.captured_queries]


def plan(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
