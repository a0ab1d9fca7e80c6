"""The site's URLs plus a cached page that hands out a CSRF token, as a page with a form would
(tests/test_page_cache.py: such a page must never be shared)."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from articles import surrogate_keys
from articles.page_cache import cached_page
from cms.urls import urlpatterns as site_urlpatterns

renders = []


def page_with_a_form(request):
    renders.append(request.path)
    surrogate_keys.add(request, surrogate_keys.LIST)
    return HttpResponse(
        f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}">'
    )


urlpatterns = [path("form", cached_page(page_with_a_form)), *site_urlpatterns]
