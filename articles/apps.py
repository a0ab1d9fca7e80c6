from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from . import signals  # noqa: F401  (connects what follows a save of content)
        from .roles import create_editors_group
        from .site import set_site_domain

        post_migrate.connect(create_editors_group, sender=self, dispatch_uid="articles.create_editors_group")
        post_migrate.connect(set_site_domain, sender=self, dispatch_uid="articles.set_site_domain")
