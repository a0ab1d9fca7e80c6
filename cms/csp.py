"""django-csp's middleware, with the policy from settings built once per process.

django-csp builds the policy from settings for every response, twice (the policy and the
report-only one): that was a third of the time our gunicorn takes to answer a cached page
(bench/README.md). A response that brings no policy of its own (no @csp, @csp_update, @csp_replace
or @csp_exempt decorator, no nonce asked for) gets the same headers every time, so those are built
once; any other response goes through django-csp unchanged. The headers, the exemptions
(EXCLUDE_URL_PREFIXES, DEBUG error pages) and the guard on a nonce asked for too late are django-csp's.

The admin's pages get the policy updated by CSP_ADMIN_UPDATE (blob: images, so the cover image an
editor chooses shows before it is uploaded); every other page gets the settings' policy unchanged."""

import http.client
from functools import cache

from csp import middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# Where django-csp's decorators leave a response's own policy or exemption.
_OWN_POLICY = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
)
ADMIN_NAMESPACE = "admin"
_POLICIES = (
    (HEADER, "CONTENT_SECURITY_POLICY", False),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
)


@cache
def _settings_policy(report_only, admin=False):
    return build_policy(update=settings.CSP_ADMIN_UPDATE if admin else None, report_only=report_only)


def _is_admin_page(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and ADMIN_NAMESPACE in match.namespaces


@cache
def _excluded_prefixes(setting):
    return tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def _forget_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "CSP_ADMIN_UPDATE":
        _settings_policy.cache_clear()
        _excluded_prefixes.cache_clear()


class CSPMiddleware(middleware.CSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _OWN_POLICY
        ):
            return super().process_response(request, response)
        exempted_debug_codes = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
        if response.status_code in exempted_debug_codes and settings.DEBUG:
            return response
        admin = _is_admin_page(request)
        for header, setting, report_only in _POLICIES:
            policy = _settings_policy(report_only, admin)
            if (
                policy
                and header not in response
                and not request.path_info.startswith(_excluded_prefixes(setting))
            ):
                response[header] = policy
        request.csp_nonce = middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
