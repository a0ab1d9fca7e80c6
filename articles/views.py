"""The reader's pages. Queries are narrowed here; templates never cause one."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control

from .models import Article

ARTICLES_PER_PAGE = 20


def article_list(request):
    articles = Article.objects.published().select_related("author").defer("body", "body_html", "extra")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/article_list.html", {"page": page, "articles": page.object_list})


def article_detail(request, slug):
    articles = Article.objects.select_related("author")
    if not (request.user.is_staff and request.user.has_perm("articles.change_article")):
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    preview = not article.is_public  # staff looking at a draft, scheduled or expired article
    context = {
        "article": article,
        "preview": preview,
        "canonical_url": article.canonical_url or request.build_absolute_uri(article.get_absolute_url()),
        "share_image_url": request.build_absolute_uri(article.lead_image_url) if article.lead_image_url else "",
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        # A page readers may not see must never be kept by a shared cache (issue 6).
        patch_cache_control(response, private=True, no_store=True)
    return response


def article_slash_redirect(request, slug):
    return redirect("articles:detail", slug=slug, permanent=True)
