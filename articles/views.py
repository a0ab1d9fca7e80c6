"""The reader's pages. Queries are narrowed here; templates never cause one."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from .models import Article

ARTICLES_PER_PAGE = 20


def article_list(request):
    articles = Article.objects.published().select_related("author").defer("body", "body_html", "extra")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/article_list.html", {"page": page, "articles": page.object_list})


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().select_related("author"), slug=slug)
    context = {
        "article": article,
        "canonical_url": article.canonical_url or request.build_absolute_uri(article.get_absolute_url()),
        "share_image_url": request.build_absolute_uri(article.lead_image_url) if article.lead_image_url else "",
    }
    return render(request, "articles/article_detail.html", context)


def article_slash_redirect(request, slug):
    return redirect("articles:detail", slug=slug, permanent=True)
