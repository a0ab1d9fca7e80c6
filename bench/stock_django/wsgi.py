"""WSGI entry of the stock Django floor (bench/serve.sh runs it with cms/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "stock_django.settings"

application = get_wsgi_application()
