"""The CSP middleware (cms/csp.py) answers as django-csp's does: the settings' policy on every
response, built once but rebuilt when the settings change; a response's own policy, a nonce, an
excluded prefix and the DEBUG error pages as django-csp treats them."""

from csp.constants import NONCE
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from cms.csp import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://images.example"]}}


def _answer(view=lambda request: HttpResponse("ok"), path="/blog/"):
    return CSPMiddleware(view)(RequestFactory().get(path))


def test_every_page_gets_the_policy_django_csp_builds_from_settings(client, db):
    response = client.get("/healthz")
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response


def test_a_changed_setting_changes_the_headers():
    before = _answer()["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY=POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY=POLICY):
        response = _answer()
        assert response["Content-Security-Policy"] == build_policy() != before
        assert "https://images.example" in response["Content-Security-Policy-Report-Only"]
    assert _answer()["Content-Security-Policy"] == before


def test_a_response_with_its_own_policy_gets_it():
    def view(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://other.example"]}
        return response

    assert "https://other.example" in _answer(view)["Content-Security-Policy"]


def test_a_nonce_asked_for_is_in_the_policy():
    def view(request):
        return HttpResponse(str(request.csp_nonce))

    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}}):
        response = _answer(view)
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]


def test_an_excluded_prefix_gets_no_policy():
    with override_settings(CONTENT_SECURITY_POLICY={**POLICY, "EXCLUDE_URL_PREFIXES": ["/blog/"]}):
        assert "Content-Security-Policy" not in _answer(path="/blog/a")
        assert "Content-Security-Policy" in _answer(path="/admin/")


def test_debug_error_pages_get_no_policy(settings):
    settings.DEBUG = True
    assert "Content-Security-Policy" not in _answer(lambda request: HttpResponse(status=404))
    assert "Content-Security-Policy" in _answer(lambda request: HttpResponse(status=403))


def _directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_only_the_admins_pages_may_show_blob_images(client, editor, seed_article):
    """The admin previews a cover image chosen for upload from a blob: address (issue 14, defect 5);
    the public pages' policy stays the settings' one, with no blob:."""
    client.force_login(editor)
    for admin_page in (
        "/admin/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{seed_article.pk}/change/",
    ):
        assert "blob:" in _directives(client.get(admin_page))["img-src"], admin_page
    for public_page in ("/blog/", seed_article.get_absolute_url(), "/healthz"):
        response = client.get(public_page)
        assert response["Content-Security-Policy"] == build_policy(), public_page
        assert "blob:" not in _directives(response)["img-src"], public_page
