import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
django_application = get_wsgi_application()

from articles.page_cache import serve_hits_first  # noqa: E402 (needs the apps loaded above)
from cms.handlers import api_application, by_path  # noqa: E402
from content_api.access import API_PREFIX, ApiGate  # noqa: E402

# Page-cache hits are answered before Django's handler (articles/page_cache/serving.py), the Content
# API's after its key and throttle check; the API's other requests by a handler that runs only the
# middleware it needs (cms/handlers.py).
application = serve_hits_first(
    by_path(django_application, {API_PREFIX: api_application()}), gates=[ApiGate()]
)
