import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
django_application = get_wsgi_application()

from articles.page_cache import serve_hits_first  # noqa: E402 (needs the apps loaded above)
from content_api.access import ApiGate  # noqa: E402

# Page-cache hits are answered before Django's handler (articles/page_cache/serving.py), the Content
# API's after its key and throttle check.
application = serve_hits_first(django_application, gates=[ApiGate()])
