"""The read-only Content API (issue 12), /api/v1/: articles, authors and tags, only what readers may
see. Each endpoint reads its parameters (content_api/parameters.py, filters.py), runs a fixed number
of queries whatever the page size (a list: count, page, and the page's tags when included), names
the surrogate keys of what it answered (the page cache keeps it under them, content_api/urls.py) and
answers JSON built by content_api/representations.py.

django-ninja routes and documents it (OpenAPI 3.1 at /api/v1/schema); answers are built here and
sent as they are, not validated again against the schema classes (tests/test_api_schema.py checks
that they conform)."""

import math
from urllib.parse import urlencode

import orjson
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.encoding import iri_to_uri
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError

from articles import compiled_queries, page_cache, surrogate_keys
from articles.models import Article, Author, Tag
from articles.tag_links import TagLink

from . import filters, parameters, representations, rows, schemas
from .errors import ParameterError, error_body

api = NinjaAPI(
    title="Content API",
    version="1",
    description="Read-only access to the site's public articles, authors and tags. "
    "Drafts, scheduled and expired articles never appear. See the README's Content API section.",
    urls_namespace="content_api",
    openapi_url="/schema",
    # Our own documentation page (content_api/docs.py): ninja's loads Swagger UI from a CDN.
    docs_url=None,
)

ERRORS = {400: schemas.Errors, 404: schemas.Errors}
FIELDS_HELP = "Comma-separated fields to show: " + ", ".join(representations.ARTICLE_FIELDS) + "."
FORMATS_HELP = (
    "Comma-separated body formats: html (default), markdown (the body exactly as written), plaintext."
)
INCLUDE_HELP = "Related objects to embed: author, tags."
ARTICLE_FIELDS_PATTERN = parameters.names_pattern(representations.ARTICLE_FIELDS)
INCLUDE_PATTERN = parameters.names_pattern(parameters.INCLUDES)
FORMATS_PATTERN = parameters.names_pattern(representations.FORMATS)
FILTER_HELP = (
    "Which articles, e.g. tag:python+author:jane or published:>2024-01-01; + is and, comma is or. "
    "Fields: " + ", ".join(filters.FIELDS) + "."
)


def _json(data, status=200):
    response = HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
    # Every /api/ answer varies by Origin (CorsMiddleware adds this above the page cache). Stored
    # with it, a cached answer to a request without an Origin needs nothing of CorsMiddleware
    # (content_api.access.ApiGate.finish).
    patch_vary_headers(response, ("origin",))
    return response


@api.exception_handler(ParameterError)
def _refused(request, exc):
    return _json(error_body(str(exc), exc.parameter), status=400)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    """ninja's own checks of typed parameters (limit, page) answer as ours do: 400, naming them."""
    first = exc.errors[0]
    parameter = str(first.get("loc", ["", "?"])[-1])
    return _json(error_body(f"{parameter}: {first.get('msg', 'invalid')}.", parameter), status=400)


def _not_found(kind, slug):
    return _json(error_body(f"No public {kind} has the slug {slug!r}."), status=404)


def _pagination(request, site, page, limit, total):
    pages = max(1, math.ceil(total / limit))
    link = _page_links(request, site)
    following = page + 1 if page < pages else None
    previous = page - 1 if page > 1 else None
    return {
        "pagination": {
            "page": page,
            "limit": limit,
            "pages": pages,
            "total": total,
            "next": following,
            "prev": previous,
            "next_url": link(following),
            "prev_url": link(previous),
        }
    }


def _page_links(request, site):
    """The request's own address with another `page`, as a function of the page (None for none): its
    other parameters encoded once, in their order, `page` where it was or last (what setting it on a
    copy of request.GET and encoding that gave, at a tenth of the cost: a deep copy and two encodings
    were a sixth of a list's own time)."""
    before, after, seen = [], [], False
    for name, values in request.GET.lists():
        if name == "page":
            seen = True
        else:
            (after if seen else before).extend((name, value) for value in values)
    # What request.build_absolute_uri(request.path) gives, from the root the site has built already.
    base = site.root + iri_to_uri(request.path) + "?"
    before = urlencode(before) + "&" if before else ""
    after = "&" + urlencode(after) if after else ""

    def link(number):
        return None if number is None else f"{base}{before}page={number}{after}"

    return link


@api.get("/articles/", response={200: schemas.Articles, **ERRORS}, summary="List public articles")
def list_articles(
    request,
    fields: str | None = Query(None, description=FIELDS_HELP, pattern=ARTICLE_FIELDS_PATTERN),
    include: str | None = Query(None, description=INCLUDE_HELP, pattern=INCLUDE_PATTERN),
    formats: str | None = Query(None, description=FORMATS_HELP, pattern=FORMATS_PATTERN),
    filter: str | None = Query(None, description=FILTER_HELP),
    limit: int = Query(
        parameters.DEFAULT_LIMIT, ge=1, le=parameters.MAX_LIMIT, description="Articles a page."
    ),
    page: int = Query(1, ge=1, le=parameters.MAX_PAGE, description="Which page, from 1."),
    order: str | None = Query(
        None,
        pattern=parameters.order_pattern(parameters.ARTICLE_ORDERS),
        description="e.g. 'published_at desc' (default), 'title asc'; fields: "
        + ", ".join(parameters.ARTICLE_ORDERS)
        + ".",
    ),
):
    # No body unless asked for (formats=html, ...): a list is for an index, and 15 bodies were most of
    # its bytes and of its time (the page cache compresses what it stores).
    shape = parameters.article_shape(fields, formats, include, default_formats=())
    condition = filters.parse(filter) if filter is not None else None
    ordering = parameters.order(order, parameters.ARTICLE_ORDERS, parameters.DEFAULT_ARTICLE_ORDER)

    def public(now):
        articles = Article.objects.published(now)
        return articles if condition is None else articles.filter(condition)

    # Compiled once per process for what the queries depend on besides the time: the filter's text
    # (which fixes its parameters), the order and the page (articles/compiled_queries.py).
    surrogate_keys.add(request, surrogate_keys.API_ARTICLES)
    now = timezone.now()
    counted = ("api-articles", filter)
    total = _total(
        counted, surrogate_keys.API_ARTICLES, lambda: compiled_queries.count(counted, public, now=now)
    )
    start = (page - 1) * limit
    site = representations.Site(request)
    shown = []
    if start < total:
        read, skip, count, backwards = _window(ordering, start, limit, total)
        shown = rows.represented_compiled(
            ("api-articles", filter, tuple(read), skip, count),
            lambda now: _page_of(public(now), read, skip, count),
            shape,
            now,
            site,
        )
        if backwards:
            shown.reverse()
    return _json({"articles": shown, "meta": _pagination(request, site, page, limit, total)})


def _total(name, key, count):
    """A list's total, kept with the lists under their surrogate key (articles.page_cache.kept):
    counted again only once a change names the key or a scheduled time passes, as the lists
    themselves are rendered again. Every page, limit, order and shape of a list (a front end paging
    through it) shares one count; counting every public article at each list miss was most of a
    list's time at 100,000 articles."""
    return page_cache.kept(name, {key}, count)


def _window(ordering, start, limit, total):
    """(the order to read in, rows to skip, rows to read, whether they come backwards): the page of
    `limit` rows from `start` among `total`, read from whichever end is nearer. An OFFSET walks every
    row it skips, so the last page of 92,000 articles walked them all (9.5 ms on SQLite, 17.6 on
    PostgreSQL, against 1.2 and 1.8 at 1,000); read backwards it skips none. Exact because every
    order ends with the primary key (a total order, whose reverse is the same rows backwards; NULLs
    included, as both backends put them at one end and move them with the direction)."""
    count = min(limit, total - start)
    from_end = total - start - count
    if from_end < start:
        backwards = [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]
        return backwards, from_end, count, True
    return ordering, start, count, False


def _page_of(articles, ordering, start, limit):
    """The page's articles by a "deferred join": the page's pks first, skipped and sorted by the order's
    columns alone, then the page's 15 rows. Selected whole with an OFFSET, every row skipped was
    read whole (its author joined, on PostgreSQL its heap row fetched): the last of 6,143 pages took
    451 ms at 100,000 articles on PostgreSQL, 53 ms on SQLite."""
    paged = articles.order_by(*ordering).values("pk")[start : start + limit]
    return Article.objects.filter(pk__in=paged).order_by(*ordering)


@api.get("/articles/{slug}/", response={200: schemas.OneArticle, **ERRORS}, summary="One public article")
def read_article(
    request,
    slug: str,
    fields: str | None = Query(None, description=FIELDS_HELP, pattern=ARTICLE_FIELDS_PATTERN),
    include: str | None = Query(None, description=INCLUDE_HELP, pattern=INCLUDE_PATTERN),
    formats: str | None = Query(None, description=FORMATS_HELP, pattern=FORMATS_PATTERN),
):
    shape = parameters.article_shape(fields, formats, include)
    found = rows.fetch(Article.objects.published().filter(slug=slug)[:1], shape)
    if not found:
        return _not_found("article", slug)
    row = found[0]
    surrogate_keys.add(request, surrogate_keys.api_article(row.pk))
    site = representations.Site(request)
    return _json({"articles": [representations.article(row, site=site, **shape.__dict__)]})


def _public_rows(kind):
    """The public articles of the outer author, or the public links of the outer tag: an index seek
    each (article_author_list_idx; the links' copies of status and times, articles/tag_links.py), not
    a walk of every public article per tag, which made /api/v1/tags/ read every article once per tag
    (40 ms at 294 tags and 200 articles)."""
    if kind == "author":
        return Article.objects.published().filter(author=OuterRef("pk"))
    return TagLink.objects.published().filter(tag=OuterRef("pk"))


def _public_count(kind):
    """Each author's or tag's number of public articles, a subquery counted by published() itself."""
    counted = _public_rows(kind).order_by().values(kind).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _named(model, kind):
    """Authors or tags with at least one public article (one with none is on no public page): an
    EXISTS each, which stops at the first."""
    return model.objects.filter(Exists(_public_rows(kind)))


def _list_named(request, model, kind, plural, limit, page, order, fields, key, represent, all_fields):
    chosen = parameters.names("fields", fields, all_fields, all_fields)
    ordering = parameters.order(order, parameters.NAMED_ORDERS, parameters.DEFAULT_NAMED_ORDER)
    surrogate_keys.add(request, key)
    named = _named(model, kind)
    total = _total((plural,), key, named.count)
    start = (page - 1) * limit
    site = representations.Site(request)
    # The page's pks in a subquery, counted only for them: counted in the page query itself, each
    # author or tag named was counted before the sort (SQLite computes a sorted row whole).
    paged = named.order_by(*ordering).values("pk")[start : start + limit]
    rows = (
        model.objects.filter(pk__in=paged).annotate(public_articles=_public_count(kind)).order_by(*ordering)
    )
    shown = [represent(row, site=site, fields=chosen) for row in (rows if start < total else [])]
    return _json({plural: shown, "meta": _pagination(request, site, page, limit, total)})


def _read_named(request, model, kind, plural, slug, fields, key, represent, all_fields):
    chosen = parameters.names("fields", fields, all_fields, all_fields)
    row = _named(model, kind).filter(slug=slug).annotate(public_articles=_public_count(kind)).first()
    if row is None:
        return _not_found(kind, slug)
    surrogate_keys.add(request, key(row.pk))
    return _json({plural: [represent(row, site=representations.Site(request), fields=chosen)]})


NAMED_ORDER_PATTERN = parameters.order_pattern(parameters.NAMED_ORDERS)
NAMED_ORDER_HELP = "e.g. 'name asc' (default) or 'slug desc'; fields: name, slug."


@api.get("/authors/", response={200: schemas.Authors, **ERRORS}, summary="List authors of public articles")
def list_authors(
    request,
    fields: str | None = Query(
        None,
        description="Comma-separated: " + ", ".join(representations.AUTHOR_FIELDS),
        pattern=parameters.names_pattern(representations.AUTHOR_FIELDS),
    ),
    limit: int = Query(parameters.DEFAULT_LIMIT, ge=1, le=parameters.MAX_LIMIT),
    page: int = Query(1, ge=1, le=parameters.MAX_PAGE),
    order: str | None = Query(None, description=NAMED_ORDER_HELP, pattern=NAMED_ORDER_PATTERN),
):
    return _list_named(
        request, Author, "author", "authors", limit, page, order, fields,
        surrogate_keys.API_AUTHORS, representations.author, representations.AUTHOR_FIELDS,
    )  # fmt: skip


@api.get("/authors/{slug}/", response={200: schemas.OneAuthor, **ERRORS}, summary="One author")
def read_author(
    request,
    slug: str,
    fields: str | None = Query(
        None,
        description="Comma-separated: " + ", ".join(representations.AUTHOR_FIELDS),
        pattern=parameters.names_pattern(representations.AUTHOR_FIELDS),
    ),
):
    return _read_named(
        request, Author, "author", "authors", slug, fields,
        surrogate_keys.api_author, representations.author, representations.AUTHOR_FIELDS,
    )  # fmt: skip


@api.get("/tags/", response={200: schemas.Tags, **ERRORS}, summary="List tags of public articles")
def list_tags(
    request,
    fields: str | None = Query(
        None,
        description="Comma-separated: " + ", ".join(representations.TAG_FIELDS),
        pattern=parameters.names_pattern(representations.TAG_FIELDS),
    ),
    limit: int = Query(parameters.DEFAULT_LIMIT, ge=1, le=parameters.MAX_LIMIT),
    page: int = Query(1, ge=1, le=parameters.MAX_PAGE),
    order: str | None = Query(None, description=NAMED_ORDER_HELP, pattern=NAMED_ORDER_PATTERN),
):
    return _list_named(
        request, Tag, "tag", "tags", limit, page, order, fields,
        surrogate_keys.API_TAGS, representations.tag, representations.TAG_FIELDS,
    )  # fmt: skip


@api.get("/tags/{slug}/", response={200: schemas.OneTag, **ERRORS}, summary="One tag")
def read_tag(
    request,
    slug: str,
    fields: str | None = Query(
        None,
        description="Comma-separated: " + ", ".join(representations.TAG_FIELDS),
        pattern=parameters.names_pattern(representations.TAG_FIELDS),
    ),
):
    return _read_named(
        request, Tag, "tag", "tags", slug, fields,
        surrogate_keys.api_tag, representations.tag, representations.TAG_FIELDS,
    )  # fmt: skip
