"""Articles as the API reads them: plain rows of just the columns a response shows, fetched with
values(), not model instances. A list of 15 with authors and tags built about 85 instances (each
article, its author, every tag through the prefetch), which were most of an uncached list's time;
these rows cost a dict each, and each carries its tags as JSON text (one query a page).

A row has the attributes content_api/representations.py reads: the article's columns by name, `pk`,
`author` (a row, or None) and `tags` (a list of rows, by name)."""

from types import SimpleNamespace

import orjson
from django.db import connection
from django.db.models import Aggregate, F, OuterRef, Subquery, TextField

from articles import compiled_queries
from articles.models import Article

from . import fragments, representations
from .representations import COLUMNS

AUTHOR_COLUMNS = ("id", "slug", "name", "url")
# The article's tags, in the article's own row: one query a page, not a second one for the page's
# tags (a query through Django costs more than SQLite's work for it; a sixth of an uncached list).
TAGS = "api_tags"


def shown_columns(shape):
    """The article columns `shape` (content_api/parameters.Shape) reads, the primary key first."""
    columns = {column for name in (*shape.fields, *shape.formats) for column in COLUMNS[name]}
    columns.discard("author")
    return ["id", *sorted(columns)]


def wants(shape, related):
    return related in shape.fields and related in shape.include


def fetch(articles, shape):
    """The rows of `articles` (a queryset of public articles, filtered, ordered and sliced as the
    response needs) with what `shape` shows: one query."""
    names = _names(shape)
    return _build_rows(_values(articles, names), names, shape)


def represented_compiled(key, build, shape, now, site):
    """The articles of build(now) (a queryset of public articles, filtered, ordered and sliced) as
    representations.article() shows them in `shape` for `site`: its queries compiled once per process
    for `key` (what `build` depends on besides `now`: articles/compiled_queries.py), as a list's pages
    are, and each article represented once per process for the same columns, author, tags, shape and
    site (content_api/fragments.py): every row is fetched, but only those not seen before are
    converted, built and represented."""
    names = _names(shape)
    fetched, convert = compiled_queries.unconverted_rows(
        ("api-rows", key, names), lambda now: _values(build(now), names), now=now
    )

    def represent(unseen):
        rows = _build_rows(convert(unseen), names, shape)
        return [representations.article(row, site=site, **shape.__dict__) for row in rows]

    return fragments.articles(fetched, (shape, site), represent, keep=not shape.formats)


def _names(shape):
    names = shown_columns(shape)
    if wants(shape, "author"):
        names += [f"author__{name}" for name in AUTHOR_COLUMNS]
    if wants(shape, "tags"):
        names.append(TAGS)
    return tuple(names)


def _values(articles, names):
    """values_list() of `names` (_names()), the tags' JSON text among them when named."""
    if TAGS in names:
        articles = articles.annotate(**{TAGS: _tags_of_article()})
    return articles.values_list(*names)


def _build_rows(found, names, shape):
    """Rows from _values() tuples of `names`: the article's columns, then its author's, then its tags."""
    with_author, with_tags = wants(shape, "author"), wants(shape, "tags")
    ends = len(names) - with_tags - (len(AUTHOR_COLUMNS) if with_author else 0)
    columns = names[1:ends]
    rows = []
    for values in found:
        row = SimpleNamespace(pk=values[0], author=None, tags=[])
        row.__dict__.update(zip(columns, values[1:ends], strict=True))
        if with_author and values[ends] is not None:
            author = dict(zip(AUTHOR_COLUMNS, values[ends : ends + len(AUTHOR_COLUMNS)], strict=True))
            row.author = SimpleNamespace(pk=author.pop("id"), **author)
        if with_tags:
            row.tags = [SimpleNamespace(pk=pk, slug=slug, name=name) for pk, slug, name in _tags(values[-1])]
        rows.append(row)
    return rows


def _tags(text):
    """[(id, slug, name), ...] from _TagsJSON's text (None: no tags), by name then id, as the article
    page lists them (ORDER BY name, id)."""
    tags = orjson.loads(text) if text else []
    if connection.vendor == "sqlite":
        # SQLite before 3.44 cannot order an aggregate's rows. Its ORDER BY compares text byte by
        # byte (UTF-8), in the order of code points, as Python compares strings.
        tags.sort(key=lambda tag: (tag[2], tag[0]))
    return tags


class _TagsJSON(Aggregate):
    """A group of tag links' tags as JSON text, [[id, slug, name], ...]: ordered by name and id on
    PostgreSQL; on SQLite in no set order (_tags() sorts them)."""

    output_field = TextField()

    def __init__(self):
        super().__init__(F("tag__id"), F("tag__slug"), F("tag__name"))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="json_group_array(json_array(%(expressions)s))", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        pk, _, name = (compiler.compile(expression)[0] for expression in self.source_expressions)
        return self.as_sql(
            compiler,
            connection,
            template=f"json_agg(json_build_array(%(expressions)s) ORDER BY {name}, {pk})::text",
            **extra,
        )


def _tags_of_article():
    """The outer article's tags as _TagsJSON's text (NULL when it has none): a subquery of its links."""
    links = Article.tags.through.objects.filter(article_id=OuterRef("pk")).order_by()
    return Subquery(links.values("article_id").annotate(tags=_TagsJSON()).values("tags"))
