"""cms.settings: refuses to start without a secret key unless DEBUG is on; production redirects to https."""

import os
import subprocess
import sys

from django.conf import settings


def _load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", "import cms.settings"], env=clean, cwd=settings.BASE_DIR,
                          capture_output=True, text=True)


def test_refuses_to_start_without_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1" in result.stderr


def test_starts_without_a_key_in_debug():
    assert _load_settings(DJANGO_DEBUG="1").returncode == 0


def test_production_redirects_plain_http_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/blog/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/blog/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
