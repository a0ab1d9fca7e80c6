"""The reader's pages. Queries are narrowed here; templates never cause one."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from . import pagination, surrogate_keys
from .models import Article, Author, Tag
from .tag_links import TagLink
from .translations import (
    LANGUAGE_PARAMETER,
    default_version,
    in_language,
    in_language_order,
    requested_language,
)

ARTICLES_PER_PAGE = 20


def _list_page(request, articles, context, *, empty_is_404=False):
    """Render one page of `articles` (already public) with the list template, newest first.

    Lists need no body: excerpts, titles and the lead image only. Pages are found by key
    (articles/pagination.py), never counted: two queries, plus whatever the caller fetched (the
    author or the tag), however many articles there are. An old numbered address, ?page=N,
    redirects to the keyed address of the same page.

    `articles` may be TagLink rows instead (a tag's public links, in the same order): the page is
    then their articles."""
    via = "article__" if articles.model is TagLink else ""
    tie = "article_id" if via else "pk"
    language = requested_language(request)
    articles = in_language(articles, language, via)
    articles = articles.select_related(f"{via}author").defer(
        *(f"{via}{field}" for field in ("body", "body_html", "extra", "headings"))
    )
    number = _page_number(request)
    if number > 1:
        key = pagination.key_at(articles, (number - 1) * ARTICLES_PER_PAGE - 1, ARTICLES_PER_PAGE, tie)
        return redirect(request.path + _before_url(request, key) if key else request.path)
    before = request.GET.get("before")
    page = pagination.page_before(
        articles, pagination.Key.parse(before) if before else None, ARTICLES_PER_PAGE, tie
    )
    if not page.rows and (before or empty_is_404):
        # An author or tag with no public article has no public page (their drafts stay unseen),
        # and there is nothing older than the oldest article.
        raise Http404("Nothing published here.")
    neighbours = {
        "previous_page_url": _before_url(request, page.newer) if page.has_newer else "",
        "next_page_url": _before_url(request, page.older) if page.older else "",
    }
    with translation.override(language or None):  # a list in one language speaks it
        return render(
            request,
            "articles/article_list.html",
            {
                "articles": [row.article for row in page.rows] if via else page.rows,
                "is_first_page": not before,
                "language": language,
                **neighbours,
                **context,
            },
        )


def _page_number(request):
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _before_url(request, key):
    """The page after `key`; None is the first page, whose address is the list's own (both in the
    language the list is narrowed to)."""
    query = {LANGUAGE_PARAMETER: requested_language(request)} if request.GET.get(LANGUAGE_PARAMETER) else {}
    if key:
        query["before"] = str(key)
    return f"?{urlencode(query, safe=':,')}" if query else request.path


def _search_page(request, articles, context):
    """Search results are ranked, not in the list's order, and say how many matched: numbered pages."""
    language = requested_language(request)
    articles = articles.select_related("author").defer("body", "body_html", "extra", "headings")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    search_terms = context["search_terms"]
    neighbours = {
        "previous_page_url": _page_url(request, page.previous_page_number(), search_terms)
        if page.has_previous()
        else "",
        "next_page_url": _page_url(request, page.next_page_number(), search_terms) if page.has_next() else "",
    }
    return render(
        request,
        "articles/article_list.html",
        {
            "page": page,
            "articles": page.object_list,
            "is_first_page": page.number == 1,
            "language": language,
            **neighbours,
            **context,
        },
    )


def _page_url(request, number, search_terms):
    """Page `number` of the search. The first page is the search's own address, not ?page=1: one page,
    one address (for search engines following rel="prev", and for the page cache)."""
    query = {"q": search_terms} if search_terms else {}
    if request.GET.get(LANGUAGE_PARAMETER):
        query[LANGUAGE_PARAMETER] = requested_language(request)
    if number > 1:
        query["page"] = number
    return f"?{urlencode(query)}" if query else request.path


def speaks_requested_language(view):
    """A list, author, tag or search page narrowed to one language (?lang=fr) speaks it: headings,
    dates and the site's words."""

    @wraps(view)
    def speaking(request, *args, **kwargs):
        with translation.override(requested_language(request) or None):
            return view(request, *args, **kwargs)

    return speaking


@speaks_requested_language
def article_list(request):
    surrogate_keys.add(request, surrogate_keys.LIST)
    return _list_page(request, Article.objects.published(), {"heading": gettext("Articles")})


@speaks_requested_language
def author_articles(request, slug):
    author = get_object_or_404(Author, slug=slug)
    surrogate_keys.add(request, surrogate_keys.author(author.pk))
    return _list_page(
        request,
        author.articles.published(),
        {
            "heading": gettext("Articles by %(name)s") % {"name": author.name},
            "author": author,
            "feeds": _feeds("articles:author-feed", "articles:author-atom", slug),
        },
        empty_is_404=True,
    )


@speaks_requested_language
def tag_articles(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    surrogate_keys.add(request, surrogate_keys.tag(tag.pk))
    return _list_page(
        request,
        TagLink.objects.filter(tag=tag).published(),  # one seek of its links, however rare the tag
        {
            "heading": gettext("Articles tagged “%(name)s”") % {"name": tag.name},
            "tag": tag,
            "feeds": _feeds("articles:tag-feed", "articles:tag-atom", slug),
        },
        empty_is_404=True,
    )


@speaks_requested_language
def search(request):
    terms = request.GET.get("q", "").strip()[:200]
    surrogate_keys.add(request, surrogate_keys.SEARCH)
    language = requested_language(request)
    public = in_language(Article.objects.published(), language)
    articles = public.search(terms, language=language) if terms else Article.objects.none()
    heading = gettext("Search results for “%(terms)s”") % {"terms": terms} if terms else gettext("Search")
    # search() finds at most this many; when the results reach it the page says there may be more.
    context = {
        "heading": heading,
        "search_terms": terms,
        "search_limit": settings.SEARCH_RESULTS_LIMIT,
        "is_search": True,
    }
    return _search_page(request, articles, context)


def _feeds(rss_name, atom_name, slug):
    return {
        "rss": reverse(rss_name, kwargs={"slug": slug}),
        "atom": reverse(atom_name, kwargs={"slug": slug}),
    }


def article_detail(request, slug):
    # Author by join, neighbours by subquery, tags by one prefetch: two queries, whatever the article.
    articles = Article.objects.with_neighbours().select_related("author").prefetch_related("tags")
    if not (request.user.is_staff and request.user.has_perm("articles.change_article")):
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    preview = not article.is_public  # staff looking at a draft, scheduled or expired article
    # It shows its neighbours' titles and links: their edits and their going away change it.
    surrogate_keys.add(
        request,
        surrogate_keys.article(article.pk),
        *(surrogate_keys.neighbour(shown["pk"]) for shown in (article.previous, article.next) if shown),
    )
    share_image_url = request.build_absolute_uri(article.lead_image_url) if article.lead_image_url else ""
    canonical_url = article.canonical_url or request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "preview": preview,
        "canonical_url": canonical_url,
        "share_image_url": share_image_url,
        **translation_links(request, article),
    }
    # The page speaks the article's language: its dates, reading time and the site's own words.
    with translation.override(article.language):
        response = render(request, "articles/article_detail.html", context)
    if preview:
        # A page readers may not see must never be kept by a shared cache: it could be served to them.
        patch_cache_control(response, private=True, no_store=True)
    return response


def translation_links(request, article):
    """The article's translations for its language switcher and hreflang links (one query, none
    for an article in no set): every public version with its absolute address, self included, in
    language order, and x-default: the one in the site's language, else the oldest."""
    others = list(article.translations().only("pk", "slug", "title", "locale"))
    if not others:
        return {"translations": [], "x_default_url": ""}
    versions = in_language_order([article, *others])
    for version in versions:
        version.absolute_url = request.build_absolute_uri(version.get_absolute_url())
    return {"translations": versions, "x_default_url": default_version(versions).absolute_url}


def article_slash_redirect(request, slug):
    return redirect("articles:detail", slug=slug, permanent=True)


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
