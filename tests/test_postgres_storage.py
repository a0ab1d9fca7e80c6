"""PostgreSQL keeps the large values we write compressed with lz4, not pglz (cms/postgres_storage.py):
an article's body, HTML and search vector, and its versions' bodies."""

import pytest
from django.db import connection

from .factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]


def _compression(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_an_articles_large_values_are_stored_with_lz4():
    # ~20 KB of Markdown: every value below is over the 2 KB at which PostgreSQL compresses.
    body = "\n\n".join(
        f"Paragraph {number}: purging the edge, caching pages, ranking words." for number in range(300)
    )
    article = make_article(title="Compressed", body=body, excerpt="Short.")
    assert _compression(
        "SELECT pg_column_compression(body), pg_column_compression(body_html), "
        "pg_column_compression(search_vector) FROM articles_article WHERE id = %s",
        [article.pk],
    ) == ("lz4", "lz4", "lz4")
    assert _compression(
        "SELECT pg_column_compression(body) FROM articles_historicalarticle WHERE id = %s", [article.pk]
    ) == ("lz4",)
