"""The Site row that feeds and the sitemap build absolute addresses from (django.contrib.sites).

Its domain comes from SITE_DOMAIN (default: the first of DJANGO_ALLOWED_HOSTS), set after every
migrate, so no deploy publishes feeds that point at example.com."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def set_site_domain(using=DEFAULT_DB_ALIAS, **kwargs):
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )
