"""A receiver that cannot be imported is a configuration error at startup (`manage.py check`, and
every command that runs checks: migrate, runserver, the worker), not a delivery failing for hours."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def receivers_importable(app_configs, **kwargs):
    errors = []
    for path in settings.PUBLISHING_RECEIVERS:
        try:
            receiver = import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"PUBLISHING_RECEIVERS names {path!r}, which cannot be imported: {exc}",
                    hint="Install the app that provides it, or remove it from PUBLISHING_RECEIVERS.",
                    id="publishing.E001",
                )
            )
            continue
        if not callable(receiver):
            errors.append(
                Error(
                    f"PUBLISHING_RECEIVERS names {path!r}, which is not callable.",
                    hint="A receiver is a function receiver(change) -> None.",
                    id="publishing.E002",
                )
            )
    return errors
