"""Full-text search on SQLite: an FTS5 index of each article's title, excerpt and body, in
publication order, kept by triggers (issue 11: a substring search read every public row when fewer
than the limit matched, about 1 s at 100,000 articles; the admin's 2.6 s).

PostgreSQL has its own: the stored `search_vector` and its GIN index (articles/models.py). Here,
as there, a search matches words, not substrings: the porter tokenizer stems English words ("gardens"
finds "gardening"), case and accents aside. Unlike PostgreSQL's english configuration it keeps stop
words, so "the" must be in the text like any other word.

The index (`articles_search`) is contentless: it keeps the words only, and its rowid is the article's
*search key*, the second it was published times ID_SPAN plus its id, so that its matches come out
newest first. The newest `limit` public matches are then found by reading matches in that order and
checking each article's visibility in a covering index (`article_search_visibility_idx`: id,
status, published, expires), and the walk stops at the limit: a few hundred index reads whatever
the size of the site, and a rare word costs only its few matches. Reading each article's row to
check its visibility instead cost 30 us a match (the row's later columns sit behind the body).

Triggers on articles_article keep the index current on every INSERT, UPDATE and DELETE, whoever
writes: Article.save(), the importer, bulk_create (bench/synthetic), a queryset's update() or
delete(), a flush. A migration that makes SQLite rebuild articles_article (most AlterFields do)
drops its triggers: it must call install() again; tests/test_search_sqlite.py fails until it does.
"""

import re

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

TABLE = "articles_search"
VISIBILITY_INDEX = "article_search_visibility_idx"
# A search key is published_second * ID_SPAN + id: ids stay below a billion.
ID_SPAN = 1_000_000_000
TRIGGERS = ("articles_search_insert", "articles_search_delete", "articles_search_update")


def _key(row):
    """The search key of `row` (new or old in a trigger, or the table) in SQL. An article with no
    date, or one before 1970, sorts as the oldest."""
    return f"(MAX(0, COALESCE(CAST(strftime('%s', {row}.published) AS INTEGER), 0)) * {ID_SPAN} + {row}.id)"


def _insert(row):
    return f"INSERT INTO {TABLE} (rowid, title, excerpt, body) VALUES ({_key(row)}, {row}.title, {row}.excerpt, {row}.body);"


def _delete(row):
    # A contentless index forgets a row by being given the words it indexed, exactly.
    return (
        f"INSERT INTO {TABLE} ({TABLE}, rowid, title, excerpt, body) "
        f"VALUES ('delete', {_key(row)}, {row}.title, {row}.excerpt, {row}.body);"
    )


def _statements():
    changed = " OR ".join(
        [f"old.{column} IS NOT new.{column}" for column in ("title", "excerpt", "body")]
        + [f"{_key('old')} IS NOT {_key('new')}"]
    )
    create_table = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, excerpt, body, content='', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    on_insert = f"AFTER INSERT ON articles_article BEGIN {_insert('new')} END"
    on_delete = f"AFTER DELETE ON articles_article BEGIN {_delete('old')} END"
    # A save that changed neither the words nor the publication second leaves the index alone.
    on_update = (
        "AFTER UPDATE OF title, excerpt, body, published, id ON articles_article "
        f"WHEN {changed} BEGIN {_delete('old')} {_insert('new')} END"
    )
    return [
        f"CREATE INDEX IF NOT EXISTS {VISIBILITY_INDEX} ON articles_article (id, status, published, expires)",
        create_table,
        *(
            f"CREATE TRIGGER IF NOT EXISTS {name} {body}"
            for name, body in zip(TRIGGERS, (on_insert, on_delete, on_update), strict=True)
        ),
    ]


def install(connection):
    """Create the index, its triggers and the covering index if missing, and (re)fill the index
    from every article: for migrations (a no-op elsewhere than SQLite)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in _statements():
            cursor.execute(statement)  # no parameters: '%s' is strftime's here
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {TABLE} (rowid, title, excerpt, body) "
            f"SELECT {_key('articles_article')}, title, excerpt, body FROM articles_article"
        )


def uninstall(connection):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for trigger in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP INDEX IF EXISTS {VISIBILITY_INDEX}")


# A "quoted phrase", or a run of anything but spaces and quotes; a leading "-" excludes it.
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
MAX_TERMS = 32


def match_expression(terms):
    """The FTS5 query for a reader's `terms`, or None when they hold no word. Words and "quoted
    phrases" must all be present, a -word or -"phrase" absent (as PostgreSQL's websearch syntax
    reads them). Each is passed to FTS5 as a quoted string, so nothing typed is read as FTS5 syntax
    (column filters, NEAR, AND/OR/NOT, prefixes, parentheses): a quote is the one character that
    could end one, and it only ever delimits phrases here."""
    wanted, unwanted = [], []
    for match in _TERM.finditer(terms):
        sign, text = (match[1], match[2]) if match[2] is not None else (match[3], match[4])
        if not re.search(r"\w", text):
            continue  # punctuation alone: no word to look for
        (unwanted if sign else wanted).append(f'"{text}"')
    if not wanted:
        return None  # nothing to find: an exclusion alone would match nearly everything
    expression = " ".join(wanted[:MAX_TERMS])
    return f"{expression} NOT ({' OR '.join(unwanted[:MAX_TERMS])})" if unwanted else expression


def matching(expression, slug_start=None, *, newest_of=None, limit=None):
    """A filter (a boolean RawSQL) for the articles that match `expression`, or whose slug starts
    with `slug_start` (by the slug's unique index): every match, or, given a queryset `newest_of`
    whose filters the covering index can check, only its `limit` newest (newest_matching_ids).

    The set of ids is worked out once a query; the "+" keeps SQLite from reading the list from it
    (every match's row, then a sort: 7 s for a word in every one of 100,000 articles), so the
    list's own order index is walked and each id looked up in the set. Every match of a word in
    every article is still 100,000 ids to gather, per query (0.3 s each at 100,000 under load,
    and the admin's date hierarchy asks a dozen questions): the admin bounds it."""
    newest = _newest_sql(newest_of, expression, limit) if newest_of is not None else None
    if newest is None:
        ids, params = f"SELECT rowid %% {ID_SPAN} FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]
    else:
        ids, params = newest
    if slug_start:
        ids = (
            f"SELECT * FROM ({ids}) UNION ALL SELECT id FROM articles_article WHERE slug >= %s AND slug < %s"
        )
        params = [*params, slug_start, slug_start + "\U0010ffff"]
    return RawSQL(f'+"articles_article"."id" IN ({ids})', params, output_field=BooleanField())


def newest_matching_ids(queryset, expression, limit):
    """SQL (a RawSQL) selecting the ids of the `limit` newest articles of `queryset` that match
    `expression`, read from the index newest first, each checked against the queryset's filters
    in the covering index, stopping at the limit. None when the queryset's filters need more than
    the article's own status, published and expires columns (a join; then the caller filters
    every match instead)."""
    newest = _newest_sql(queryset, expression, limit)
    return RawSQL(*newest) if newest else None


def _newest_sql(queryset, expression, limit):
    query = queryset.query
    if len(query.alias_map) > 1 or not _visibility_columns_only(query.where):
        return None
    compiler = query.get_compiler(queryset.db)
    where, params = compiler.compile(query.where) if query.where else ("1", [])
    # Matches published after the filters' bound (published() has one: now) cannot pass them, and
    # scheduled articles have the newest keys: they are skipped in the index itself.
    bound = _published_bound(query.where)
    newest_key = (int(bound.timestamp()) + 1) * ID_SPAN if bound else 1 << 62
    sql = (
        f'SELECT "articles_article"."id" FROM {TABLE} '
        f'JOIN "articles_article" INDEXED BY {VISIBILITY_INDEX} '
        f'ON "articles_article"."id" = {TABLE}.rowid %% {ID_SPAN} '
        f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid < %s AND ({where}) "
        f"ORDER BY {TABLE}.rowid DESC LIMIT %s"
    )
    return sql, [expression, newest_key, *params, limit]


def _published_bound(where):
    """The latest `published` the filters let through (a top-level published <= or < a time), or
    None."""
    if where.connector != "AND" or where.negated:
        return None
    bounds = [
        child.rhs
        for child in where.children
        if getattr(child, "lookup_name", None) in ("lte", "lt")
        and child.lhs.target.column == "published"
        and hasattr(child.rhs, "timestamp")
    ]
    bounds += [_published_bound(child) for child in where.children if hasattr(child, "children")]
    return min(filter(None, bounds), default=None)


_COVERED = {"id", "status", "published", "expires"}


def _visibility_columns_only(where):
    """Whether the filters read only columns the covering index holds."""
    for child in where.children:
        if hasattr(child, "children"):
            if not _visibility_columns_only(child):
                return False
        elif getattr(getattr(child, "lhs", None), "target", None) is None or (
            child.lhs.target.column not in _COVERED
        ):
            return False
    return True
