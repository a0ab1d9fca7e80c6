"""The shapes of the Content API's answers, for its OpenAPI schema (/api/v1/schema) and so for
schemathesis, which checks every answer against them. The endpoints build their JSON themselves
(content_api/representations.py) and answer it directly: every field may be left out by `fields`,
so none is required here."""

from ninja import Schema


class Rendition(Schema):
    url: str
    width: int
    type: str


class Image(Schema):
    url: str
    alt: str
    width: int | None
    height: int | None
    renditions: list[Rendition]


class ArticleCount(Schema):
    articles: int


class Author(Schema):
    id: int | None = None
    slug: str | None = None
    name: str | None = None
    url: str | None = None
    website: str | None = None
    count: ArticleCount | None = None


class Tag(Schema):
    id: int | None = None
    slug: str | None = None
    name: str | None = None
    url: str | None = None
    count: ArticleCount | None = None


class Article(Schema):
    id: int | None = None
    uuid: str | None = None
    slug: str | None = None
    title: str | None = None
    url: str | None = None
    excerpt: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    created_at: str | None = None
    locale: str | None = None
    canonical_url: str | None = None
    reading_minutes: int | None = None
    image: Image | None = None
    front_matter: str | None = None
    author: Author | None = None
    tags: list[Tag] | None = None
    html: str | None = None
    markdown: str | None = None
    plaintext: str | None = None


class Pagination(Schema):
    page: int
    limit: int
    pages: int
    total: int
    next: int | None
    prev: int | None
    next_url: str | None
    prev_url: str | None


class Meta(Schema):
    pagination: Pagination


class Articles(Schema):
    articles: list[Article]
    meta: Meta


class OneArticle(Schema):
    articles: list[Article]


class Authors(Schema):
    authors: list[Author]
    meta: Meta


class OneAuthor(Schema):
    authors: list[Author]


class Tags(Schema):
    tags: list[Tag]
    meta: Meta


class OneTag(Schema):
    tags: list[Tag]


class Error(Schema):
    message: str
    parameter: str | None = None


class Errors(Schema):
    errors: list[Error]
