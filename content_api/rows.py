"""Articles as the API reads them: plain rows of just the columns a response shows, fetched with
values(), not model instances. A list of 15 with authors and tags built about 85 instances (each
article, its author, every tag through the prefetch), which were most of an uncached list's time;
these rows cost a dict each, and the page's tags one query for the whole page.

A row has the attributes content_api/representations.py reads: the article's columns by name, `pk`,
`author` (a row, or None) and `tags` (a list of rows, by name)."""

from types import SimpleNamespace

from articles import compiled_queries
from articles.models import Article

from .representations import COLUMNS

AUTHOR_COLUMNS = ("id", "slug", "name", "url")
TAG_COLUMNS = ("id", "slug", "name")


def shown_columns(shape):
    """The article columns `shape` (content_api/parameters.Shape) reads, the primary key first."""
    columns = {column for name in (*shape.fields, *shape.formats) for column in COLUMNS[name]}
    columns.discard("author")
    return ["id", *sorted(columns)]


def wants(shape, related):
    return related in shape.fields and related in shape.include


def fetch(articles, shape):
    """The rows of `articles` (a queryset of public articles, filtered, ordered and sliced as the
    response needs) with what `shape` shows: one query, and one more for the page's tags."""
    names = _names(shape)
    return _rows(articles.values_list(*names), names, shape, compiled=False)


def fetch_compiled(key, build, shape, now):
    """fetch(build(now), shape), but with its queries compiled once per process for `key` (what
    `build` depends on besides `now`: articles/compiled_queries.py), as a list's pages are."""
    names = _names(shape)
    found = compiled_queries.rows(
        ("api-rows", key, names), lambda now: build(now).values_list(*names), now=now
    )
    return _rows(found, names, shape, compiled=True)


def _names(shape):
    names = shown_columns(shape)
    if wants(shape, "author"):
        names += [f"author__{name}" for name in AUTHOR_COLUMNS]
    return tuple(names)


def _rows(found, names, shape, compiled):
    """Rows from values_list() tuples of `names`: the article's columns, then its author's."""
    with_author = wants(shape, "author")
    columns = names[1 : len(names) - len(AUTHOR_COLUMNS)] if with_author else names[1:]
    ends = 1 + len(columns)
    rows = []
    for values in found:
        row = SimpleNamespace(pk=values[0], author=None, tags=[])
        row.__dict__.update(zip(columns, values[1:ends], strict=True))
        if with_author and values[ends] is not None:
            author = dict(zip(AUTHOR_COLUMNS, values[ends:], strict=True))
            row.author = SimpleNamespace(pk=author.pop("id"), **author)
        rows.append(row)
    if rows and wants(shape, "tags"):
        _attach_tags(rows, compiled)
    return rows


def _tag_links(article_ids):
    return (
        Article.tags.through.objects.filter(article_id__in=article_ids)
        .order_by("tag__name", "tag_id")
        .values_list("article_id", *(f"tag__{name}" for name in TAG_COLUMNS))
    )


def _attach_tags(rows, compiled):
    """Each row's tags, by name (then id, as the article page lists them), in one query."""
    by_pk = {row.pk: row for row in rows}
    if compiled:
        links = compiled_queries.rows(("api-tags",), _tag_links, article_ids=list(by_pk))
    else:
        links = _tag_links(list(by_pk))
    for article_id, pk, slug, name in links:
        by_pk[article_id].tags.append(SimpleNamespace(pk=pk, slug=slug, name=name))
