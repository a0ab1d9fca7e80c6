"""`manage.py check` (and every command's startup) reports a bad EDGE_CACHES entry, rather than the
first purge failing in the worker."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .backends import build_backend


@checks.register()
def check_edge_caches(app_configs, **kwargs):
    if not isinstance(settings.EDGE_CACHES, dict):
        return [checks.Error("EDGE_CACHES must be a dict of {name: options}.", id="edge.E001")]
    errors = []
    for name, options in settings.EDGE_CACHES.items():
        try:
            build_backend(name, options)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="edge.E002"))
    return errors
