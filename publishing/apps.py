from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing events"
    default_auto_field = "django.db.models.BigAutoField"
