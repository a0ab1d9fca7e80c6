"""Articles as the API reads them: plain rows of just the columns a response shows, fetched with
values(), not model instances. A list of 15 with authors and tags built about 85 instances (each
article, its author, every tag through the prefetch), which were most of an uncached list's time;
these rows cost a dict each, and the page's tags one query for the whole page.

A row has the attributes content_api/representations.py reads: the article's columns by name, `pk`,
`author` (a row, or None) and `tags` (a list of rows, by name)."""

from types import SimpleNamespace

from articles import compiled_queries
from articles.models import Article

from . import fragments, representations
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
    return _rows(articles.values_list(*names), names, shape)


def represented_compiled(key, build, shape, now, site):
    """The articles of build(now) (a queryset of public articles, filtered, ordered and sliced) as
    representations.article() shows them in `shape` for `site`: its queries compiled once per process
    for `key` (what `build` depends on besides `now`: articles/compiled_queries.py), as a list's pages
    are, and each article represented once per process for the same columns, author, tags, shape and
    site (content_api/fragments.py): every row is fetched, but only those not seen before are
    converted, built and represented."""
    names = _names(shape)
    fetched, convert = compiled_queries.unconverted_rows(
        _compiled_key(key, names), _values_of(build, names), now=now
    )
    tags = (
        _tags_by_article([values[0] for values in fetched], compiled=True)
        if fetched and wants(shape, "tags")
        else {}
    )

    def represent(unseen):
        rows = _with_tags(_build_rows(convert(unseen), names, shape), tags)
        return [representations.article(row, site=site, **shape.__dict__) for row in rows]

    made_of = [(values, tuple(tags.get(values[0], ()))) for values in fetched]
    return fragments.articles(made_of, (shape, site), represent, keep=not shape.formats)


def _compiled_key(key, names):
    return ("api-rows", key, names)


def _values_of(build, names):
    return lambda now: build(now).values_list(*names)


def _names(shape):
    names = shown_columns(shape)
    if wants(shape, "author"):
        names += [f"author__{name}" for name in AUTHOR_COLUMNS]
    return tuple(names)


def _rows(found, names, shape):
    """Rows from values_list() tuples of `names`, with their tags when the shape shows them."""
    rows = _build_rows(found, names, shape)
    if rows and wants(shape, "tags"):
        _with_tags(rows, _tags_by_article([row.pk for row in rows], compiled=False))
    return rows


def _with_tags(rows, tags):
    """`rows`, each given its tags from `tags` ({article id: [(tag id, slug, name), ...]})."""
    for row in rows:
        row.tags = [SimpleNamespace(pk=pk, slug=slug, name=name) for pk, slug, name in tags.get(row.pk, ())]
    return rows


def _build_rows(found, names, shape):
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
    return rows


def _tag_links(article_ids):
    return (
        Article.tags.through.objects.filter(article_id__in=article_ids)
        .order_by("tag__name", "tag_id")
        .values_list("article_id", *(f"tag__{name}" for name in TAG_COLUMNS))
    )


def _tags_by_article(article_ids, compiled):
    """{article id: [(tag id, slug, name), ...]}, each article's tags by name (then id, as the article
    page lists them), in one query."""
    if compiled:
        links = compiled_queries.rows(("api-tags",), _tag_links, article_ids=list(article_ids))
    else:
        links = _tag_links(list(article_ids))
    tags = {}
    for article_id, *tag in links:
        tags.setdefault(article_id, []).append(tuple(tag))
    return tags
