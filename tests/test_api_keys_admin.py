"""Content API keys in the admin: made with a name, the secret shown once and only its digest kept,
listed with when each was last used, revoked by an action; only for users given the permissions
(editors and readers have none)."""

import hashlib

import pytest

from content_api.models import ApiKey

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api_access_urls")]
ADD = "/admin/content_api/apikey/add/"
LIST = "/admin/content_api/apikey/"


def test_a_new_key_is_shown_once_and_only_its_digest_is_stored(client, superuser, settings):
    settings.CONTENT_API_RATE_PER_KEY = ""
    client.force_login(superuser)
    response = client.post(ADD, {"name": "Mobile app"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("ck_") and len(secret) > 40 and secret in response.content.decode()
    api_key = ApiKey.objects.get()
    assert api_key.name == "Mobile app" and secret.startswith(api_key.prefix)
    assert api_key.key_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([getattr(api_key, f.attname) for f in ApiKey._meta.fields])
    change_page = client.get(f"{LIST}{api_key.pk}/change/").content.decode()
    assert secret not in change_page and api_key.prefix in change_page
    assert client.get("/api/test/", {"key": secret}).status_code == 200


def test_the_list_shows_last_used_and_the_revoke_action_refuses_the_key(client, superuser):
    client.force_login(superuser)
    api_key = ApiKey(name="Site builder")
    secret = api_key.set_new_key()
    api_key.save()
    assert client.get("/api/test/", {"key": secret}).status_code == 200
    listing = client.get(LIST)
    assert "Last used" in listing.content.decode()
    api_key.refresh_from_db()
    assert api_key.last_used is not None
    client.post(LIST, {"action": "revoke", "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked and api_key.revoked_at is not None
    assert client.get("/api/test/", {"key": secret}).status_code == 401


@pytest.mark.parametrize("who", ["editor", "reader"])
def test_editors_and_readers_cannot_see_or_make_keys(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code in (302, 403)
    assert client.post(ADD, {"name": "Sneaky"}).status_code in (302, 403)
    assert not ApiKey.objects.exists()
