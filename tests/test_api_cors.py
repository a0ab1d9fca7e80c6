"""CORS for the Content API (django-cors-headers): origins in CORS_ALLOWED_ORIGINS may read /api/,
preflights included, before any key is asked for; other origins get no CORS headers, and nothing
outside /api/ gets any."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api_access_urls")]
URL = "/api/test/"
ALLOWED = "https://app.example.com"


@pytest.fixture(autouse=True)
def _origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]
    settings.CONTENT_API_RATE_PER_KEY = settings.CONTENT_API_RATE_PER_IP = ""


def preflight(client, origin, url=URL):
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )


def test_an_allowed_origin_may_read_the_api(client):
    response = client.get(URL, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "origin" in response["Vary"].lower()


def test_an_allowed_origin_passes_the_preflight_without_a_key(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = True  # a preflight carries no key
    response = preflight(client, ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "x-api-key" in response["Access-Control-Allow-Headers"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "POST" not in response["Access-Control-Allow-Methods"]


def test_an_allowed_origin_can_read_a_refusal(client, settings):
    settings.CONTENT_API_KEY_REQUIRED = True
    response = client.get(URL, headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_another_origin_is_refused(client):
    origin = "https://evil.example.net"
    assert "Access-Control-Allow-Origin" not in client.get(URL, headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in preflight(client, origin)


def test_pages_outside_the_api_get_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/blog/", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in preflight(client, ALLOWED, url="/blog/")
