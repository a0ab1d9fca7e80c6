"""/api/v1/: the Content API's endpoints, each answered from the page cache under the surrogate keys
it names (articles/page_cache: ETag, 304, made stale by the same changes as the pages), its OpenAPI
schema, and its documentation page."""

from django.urls import URLPattern, path

from articles.page_cache import cached_page

from . import docs
from .api import api

# ninja's own namespace is urls_namespace; ours (app_name) is the same, for reverse() everywhere.
patterns, _ninja_app, _namespace = api.urls
app_name = "content_api"
for pattern in patterns:
    # The endpoints name their keys; the schema names none, so it is not kept (it changes only with
    # a deploy, and ConditionalGetMiddleware still gives it an ETag).
    if isinstance(pattern, URLPattern):
        pattern.callback = cached_page(pattern.callback)

urlpatterns = [path("docs", docs.page, name="docs"), *patterns]
