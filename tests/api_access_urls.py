"""The site's URLs plus one tiny endpoint under /api/, so the key, throttling and CORS tests do not
depend on the Content API's own views (tests/test_api_access.py, tests/test_api_cors.py)."""

from django.http import JsonResponse
from django.urls import path

from articles import surrogate_keys
from articles.page_cache import cached_page
from cms.urls import urlpatterns as site_urlpatterns

seen_queries = []


def echo(request):
    """What the view was given: its query, once the access middleware has had its say."""
    seen_queries.append(request.META["QUERY_STRING"])
    return JsonResponse({"query": dict(request.GET.items())})


def cached(request):
    """A cached API answer, as the Content API's are: a cached answer still needs an allowed key."""
    surrogate_keys.add(request, surrogate_keys.LIST)
    return JsonResponse({"cached": True})


urlpatterns = [
    path("api/test/", echo),
    path("api/cached/", cached_page(cached)),
    *site_urlpatterns,
]
