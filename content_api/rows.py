"""Articles as the API reads them: plain rows of just the columns a response shows, fetched with
values(), not model instances. A list of 15 with authors and tags built about 85 instances (each
article, its author, every tag through the prefetch), which were most of an uncached list's time;
these rows cost a dict each, and the page's tags one query for the whole page.

A row has the attributes content_api/representations.py reads: the article's columns by name, `pk`,
`author` (a row, or None) and `tags` (a list of rows, by name)."""

from types import SimpleNamespace

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
    columns = shown_columns(shape)
    with_author = wants(shape, "author")
    if with_author:
        columns += [f"author__{name}" for name in AUTHOR_COLUMNS]
    rows = []
    for values in articles.values(*columns):
        row = SimpleNamespace(pk=values.pop("id"), author=None, tags=[])
        if with_author:
            author = {name: values.pop(f"author__{name}") for name in AUTHOR_COLUMNS}
            if author["id"] is not None:
                row.author = SimpleNamespace(pk=author.pop("id"), **author)
        row.__dict__.update(values)
        rows.append(row)
    if rows and wants(shape, "tags"):
        _attach_tags(rows)
    return rows


def _attach_tags(rows):
    """Each row's tags, by name (then id, as the article page lists them), in one query."""
    by_pk = {row.pk: row for row in rows}
    links = (
        Article.tags.through.objects.filter(article_id__in=by_pk)
        .order_by("tag__name", "tag_id")
        .values_list("article_id", *(f"tag__{name}" for name in TAG_COLUMNS))
    )
    for article_id, pk, slug, name in links:
        by_pk[article_id].tags.append(SimpleNamespace(pk=pk, slug=slug, name=name))
