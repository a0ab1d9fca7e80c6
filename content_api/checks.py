"""A Content API rate or throttle storage that cannot work is a configuration error at startup
(`manage.py check` and every command that runs checks), not a 500 on the first API request."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .throttling import STORAGE_SCHEMES, rate_limit


@register()
def throttle_configured(app_configs, **kwargs):
    errors = []
    for name in ("CONTENT_API_RATE_PER_KEY", "CONTENT_API_RATE_PER_IP"):
        try:
            rate_limit(getattr(settings, name))
        except ImproperlyConfigured as exc:
            errors.append(Error(f"{name}: {exc}", hint="Empty means no limit.", id="content_api.E001"))
    storage = settings.CONTENT_API_THROTTLE_STORAGE
    if not storage.startswith(STORAGE_SCHEMES):
        errors.append(
            Error(
                f"CONTENT_API_THROTTLE_STORAGE is {storage!r}: the throttle counts in Redis "
                f"(redis://host:port/db, rediss://…) or in each process's memory (memory://).",
                hint="Leave it unset to count where CACHE_URL's Redis is, else in memory.",
                id="content_api.E002",
            )
        )
    return errors
