"""Querysets compiled to SQL once per process, then run with the request's values.

Building and compiling a queryset costs Django far more than the database spends running it: the
Content API's uncached list of 15 spent about 7 of its 11 ms (SQLite, 200 articles) in the ORM
turning three small querysets into SQL, and well under 1 ms in SQLite. Yet those querysets differ
from one request to the next only in the time `published()` compares with and the page's article
ids.

So the queryset stays the single source of truth (built by the same code: `published()`, the
filters, the order) but is built and compiled once per key that names everything else it depends
on, twice in fact: with two sets of stand-in values, so that the parameters that differ between
the two are the stand-ins' places, whatever the other parameters hold (a filter's date equal to a
stand-in included). Each run puts the request's values in those places, executes the SQL, and
converts the rows as Django would (its own compiler's converters: dates on SQLite, JSON, ...). A
stand-in the compiled parameters do not hold (a backend that inlines it), or SQL that changes with
the values, is refused when compiling, never guessed at.

    rows = compiled_queries.rows(
        ("api-page", columns, order),                  # what the queryset depends on besides values
        lambda now: Article.objects.published(now).order_by(*order).values_list(*columns)[:15],
        now=timezone.now(),
    )

Each thread's connection keeps its own compiled queries (Django's connections are per thread), the
most recent COMPILED_PER_CONNECTION of them. A changed setting (tests' override_settings) forgets
them all: TIME_ZONE and the like are read when compiling."""

from collections import OrderedDict
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.dispatch import receiver

COMPILED_PER_CONNECTION = 256
# Values in place of the request's, two sets of them (moments in 1901 and 1902, ids below any
# row's): a queryset is compiled with each, and the parameters that differ are theirs.
STAND_IN_TIMES = (
    datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
    datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
)
_STAND_IN_ID = -7_310_000_000

_compiled_by_connection = WeakKeyDictionary()


class StandInMissing(ValueError):
    """The compiled SQL does not take a value as a parameter, so it cannot be run with another."""


class _Compiled:
    def __init__(self, compiler, stand_ins, other, connection, counted=False):
        """`compiler` compiled with `stand_ins`; `other`, the (sql, params) of the same queryset
        built with other stand-ins: the parameters that differ are the stand-ins' places, however
        the request's own values (a filter's date, say) compare with a stand-in."""
        sql, params = compiler.as_sql()
        if other[0] != sql or len(other[1]) != len(params):
            raise StandInMissing("the compiled SQL itself depends on the values, not only its parameters")
        self.sql = f"SELECT COUNT(*) FROM ({sql}) counted" if counted else sql
        self.params = list(params)
        self.compiler = compiler
        self.converters = {}
        if not counted:
            # What compiler.results_iter() works out on each call, once (its only other step,
            # composite primary keys, has no use here).
            selected = [column for column, _, _ in compiler.select[: compiler.col_count]]
            if compiler.has_composite_fields(selected):
                raise TypeError("a compiled query selects no composite primary key")
            self.converters = compiler.get_converters(selected)
        adapted = {}
        for name, value in stand_ins.items():
            for index, each in enumerate(value) if isinstance(value, list) else [(None, value)]:
                adapted[_adapt(connection, each)] = (name, index)
        self.slots = []  # (position in params, name, index in a list value or None)
        for position, (param, elsewhere) in enumerate(zip(self.params, other[1], strict=True)):
            if param != elsewhere:
                if param not in adapted:
                    raise StandInMissing(f"parameter {position} moved with the values but is none of them")
                self.slots.append((position, *adapted[param]))
        missing = set(adapted.values()) - {(name, index) for _, name, index in self.slots}
        if missing:
            raise StandInMissing(f"the compiled query holds no parameter for {sorted(missing)}")

    def run(self, connection, values):
        return self.convert(self.fetch(connection, values))

    def fetch(self, connection, values):
        """The rows as the database driver gave them, before Django's converters."""
        params = list(self.params)
        for position, name, index in self.slots:
            value = values[name] if index is None else values[name][index]
            params[position] = _adapt(connection, value)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def convert(self, fetched):
        """Rows fetched by fetch() (any of them) as values() gives them."""
        if not self.converters:
            return fetched
        return list(self.compiler.apply_converters(fetched, self.converters))


def rows(key, build, using=DEFAULT_DB_ALIAS, **values):
    """The rows (sequences of values) of the values_list() queryset that build(**values) returns,
    compiled once for `key` with stand-ins in place of `values`. A value is a datetime, or a list of
    ids whose length is part of the key."""
    return _compiled(key, build, using, values, counted=False).run(connections[using], values)


def unconverted_rows(key, build, using=DEFAULT_DB_ALIAS, **values):
    """rows(), as the database driver gave them, and the function that converts any of them as rows()
    would: for a caller that keeps what it makes of a row by the row's own values, and so converts
    only those it has not seen (content_api/fragments.py)."""
    compiled = _compiled(key, build, using, values, counted=False)
    return compiled.fetch(connections[using], values), compiled.convert


def count(key, build, using=DEFAULT_DB_ALIAS, **values):
    """How many rows the queryset that build(**values) returns has, compiled once for `key`: its
    SQL (with no ORDER BY) counted as a subquery, as Django counts a sliced or distinct queryset."""

    def selected_pks(**stand_ins):
        return build(**stand_ins).order_by().values_list("pk")

    compiled = _compiled(("count", key), selected_pks, using, values, counted=True)
    return compiled.run(connections[using], values)[0][0]


def _compiled(key, build, using, values, counted):
    connection = connections[using]
    compiled = _compiled_for(connection)
    lengths = tuple((name, len(value)) for name, value in values.items() if isinstance(value, list))
    full_key = (key, lengths)
    query = compiled.get(full_key)
    if query is None:
        stand_ins, others = _stand_ins(values, 0), _stand_ins(values, 1)
        compiler = build(**stand_ins).query.get_compiler(connection=connection)
        other = build(**others).query.get_compiler(connection=connection).as_sql()
        query = _Compiled(compiler, stand_ins, other, connection, counted)
        while len(compiled) >= COMPILED_PER_CONNECTION:
            compiled.popitem(last=False)
        compiled[full_key] = query
    else:
        compiled.move_to_end(full_key)
    return query


def _stand_ins(values, variant):
    """Stand-ins for `values`, of the first or second set (variant 0 or 1): each unlike the other
    set's and unlike every other stand-in of its own set."""
    stand_ins = {}
    for name, value in values.items():
        if isinstance(value, list):
            stand_ins[name] = [_STAND_IN_ID - variant * 1_000_000 - index for index in range(len(value))]
        elif isinstance(value, datetime):
            stand_ins[name] = STAND_IN_TIMES[variant]
        else:
            raise TypeError(f"{name}: a compiled query takes datetimes and lists of ids, not {value!r}")
    return stand_ins


def _adapt(connection, value):
    """The parameter Django's compiler makes of `value` (what a lookup's get_db_prep_value gives)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _compiled_for(connection):
    try:
        return _compiled_by_connection[connection]
    except KeyError:
        return _compiled_by_connection.setdefault(connection, OrderedDict())


def forget():
    """Compile every query again on its next run."""
    _compiled_by_connection.clear()


@receiver(setting_changed)
def _setting_changed(**kwargs):
    forget()
