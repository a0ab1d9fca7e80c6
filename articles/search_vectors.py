"""An article's stored PostgreSQL search vector: its title, excerpt and body weighted A, B and C, each
stemmed in the article's language (search_languages), so that a title match ranks first.

Three ways to the same vector: an UPDATE makes it from the saved columns (SEARCH_VECTOR); a new
row's INSERT makes it from the article's values (search_vector_of); or it is made ahead, elsewhere,
from those same values (made_ahead: an import's worker processes, issue 11), and the INSERT takes it
as it is, so that the one writer does not wait while PostgreSQL stems each new article's words."""

from collections import namedtuple

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import Value
from django.db.models.functions import Cast
from django.db.models.sql import Query

from . import search_languages

# Each row's vector, from its columns.
SEARCH_VECTOR = (
    SearchVector("title", weight="A", config=search_languages.of_each_article())
    + SearchVector("excerpt", weight="B", config=search_languages.of_each_article())
    + SearchVector("body", weight="C", config=search_languages.of_each_article())
)
# What SEARCH_VECTOR is made of: a save that changed none of them leaves the stored vector as it is.
SEARCH_FIELDS = ("title", "excerpt", "body")
# A vector made ahead: PostgreSQL's text form of it, and the values it was made of (the text search
# configuration, title, excerpt and body), so that an INSERT takes it only for an article that has them.
SearchVectorAhead = namedtuple("SearchVectorAhead", "config title excerpt body text")


def _made_of(article):
    return search_languages.of_article(article.locale), article.title, article.excerpt, article.body


def search_vector_of(article):
    """SEARCH_VECTOR made of `article`'s own values, for its INSERT: an UPDATE after it wrote every
    new row twice (a GIN-indexed column cannot be updated in place, so each of the table's ten
    indexes took a second entry), a sixth of a PostgreSQL import's time. The vector made ahead
    (`article.search_vector_ahead`) if it was made of these values, as they are now."""
    ahead = article.search_vector_ahead
    config, title, excerpt, body = values = _made_of(article)
    if ahead is not None and ahead[:4] == values:
        return Cast(Value(ahead.text), output_field=SearchVectorField())
    return (
        SearchVector(Value(title), weight="A", config=config)
        + SearchVector(Value(excerpt), weight="B", config=config)
        + SearchVector(Value(body), weight="C", config=config)
    )


def made_ahead(articles, connection):
    """[SearchVectorAhead] of unsaved `articles` (title, excerpt, body and locale set), in order, in
    one SELECT on `connection` (PostgreSQL): the same expression as their INSERTs would have."""
    query = Query(None)
    compiler = query.get_compiler(connection=connection)
    columns, params = [], []
    for article in articles:
        sql, expression_params = (
            search_vector_of(article).resolve_expression(query).as_sql(compiler, connection)
        )
        columns.append(f"({sql})::text")
        params.extend(expression_params)
    if not columns:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        texts = cursor.fetchone()
    return [
        SearchVectorAhead(*_made_of(article), text) for article, text in zip(articles, texts, strict=True)
    ]
