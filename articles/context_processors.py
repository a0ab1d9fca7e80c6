from django.conf import settings


def site(request):
    """The site's name for every template (header, <title>, og:site_name)."""
    return {"SITE_NAME": settings.SITE_NAME}
