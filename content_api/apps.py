from django.apps import AppConfig


class ContentApiConfig(AppConfig):
    name = "content_api"
    verbose_name = "Content API"
    default_auto_field = "django.db.models.BigAutoField"
