from django.apps import AppConfig


class EdgeConfig(AppConfig):
    name = "edge"
    verbose_name = "Edge caches"

    def ready(self):
        from . import checks  # noqa: F401  (registers the EDGE_CACHES system check)
