from django.apps import AppConfig


class ContentApiConfig(AppConfig):
    name = "content_api"
    verbose_name = "Content API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import access, checks  # noqa: F401  (connects the key cache's invalidation, registers the checks)
