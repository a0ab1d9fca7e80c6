"""Old addresses keep working: stored 301 redirects (django.contrib.redirects).

An article's old path (its slug changed in the admin or in an import) and the `aliases` /
`redirect_from` paths of its front matter point at its current path. RedirectFallbackMiddleware
answers them, and it only looks when a page would otherwise be a 404, so live pages pay nothing.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site


def normalize_path(value):
    """The path of an alias as sites write it: '/old/', 'old', or a full URL of the old site."""
    path = urlsplit(str(value).strip()).path or ""
    if not path:
        return ""
    return path if path.startswith("/") else f"/{path}"


def redirect_old_path(old_path, new_path):
    """Make `old_path` answer 301 to `new_path`; redirects that led to `old_path` now lead to
    `new_path` directly (no chains), and a redirect away from `new_path` is removed (it is live again)."""
    old_path, new_path = normalize_path(old_path), normalize_path(new_path)
    if not old_path or old_path == new_path:
        return
    site = _site()
    Redirect.objects.filter(site=site, old_path__in=_variants(new_path)).delete()
    Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
    Redirect.objects.update_or_create(site=site, old_path=old_path[:200], defaults={"new_path": new_path})


def _variants(path):
    stripped = path.rstrip("/") or "/"
    return {stripped, stripped + "/"}


def _site():
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "example.com", "name": "site"}
    )
    return site
