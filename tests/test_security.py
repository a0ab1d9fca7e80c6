"""Production settings: check --deploy clean, security headers and CSP, login throttling, /healthz,
Redis going away, media on S3-compatible storage (moto on loopback)."""

import os
import runpy
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError

from .conftest import PASSWORD
from .factories import make_article

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "cms.example.com",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    clean.update(PRODUCTION_ENV, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_s3_media_storage_is_wired_from_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.core.files.storage import default_storage as s; "
        "print(s.__class__.__name__, s.bucket_name)",
        AWS_STORAGE_BUCKET_NAME="media-bucket",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["S3Storage", "media-bucket"]


def test_security_headers_and_csp(client, db):
    make_article(slug="a")
    response = client.get("/blog/a")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "https://res.cloudinary.com" in csp["img-src"]


def test_admin_login_is_throttled(client, superuser):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"})
        assert response.status_code == 200
    assert (
        client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "wrong"}).status_code
        == 429
    )
    locked = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assert locked.status_code == 429
    assert not client.session.get("_auth_user_id")


def test_correct_login_still_works(client, superuser):
    response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_healthz_is_exempt_from_the_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/blog/").status_code == 301


def test_healthz_503_when_the_database_is_away(client, db, monkeypatch):
    class AwayDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("cms.health.connection", AwayDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503


def test_redis_going_away_degrades_to_uncached_pages(client, db, settings, monkeypatch):
    # The cache exactly as cms/settings.py builds it for a redis:// CACHE_URL, at a port where
    # nothing listens; the settings fixture swaps the cache connections and restores them after.
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:9/0")
    settings.CACHES = runpy.run_path(str(settings.BASE_DIR / "cms" / "settings.py"))["CACHES"]
    from django.core.cache import caches
    from django_redis.cache import RedisCache

    assert isinstance(caches["default"], RedisCache) and caches["default"].get("anything") is None
    make_article(slug="a")  # a save makes cached pages stale: the cache is written, and fails
    for _ in range(2):
        assert client.get("/blog/a").status_code == 200


@pytest.fixture
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_media_on_s3_compatible_storage(s3_server, monkeypatch):
    import boto3
    from django.core.files.base import ContentFile
    from storages.backends.s3 import S3Storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket="media")
    storage = S3Storage(
        bucket_name="media",
        endpoint_url=s3_server,
        region_name="us-east-1",
        querystring_auth=False,
        file_overwrite=False,
    )
    name = storage.save("articles/imported/a.png", ContentFile(b"png-bytes"))
    assert storage.exists(name)
    assert storage.open(name).read() == b"png-bytes"
    assert storage.url(name).startswith(f"{s3_server}/media/articles/imported/")
    second = storage.save("articles/imported/a.png", ContentFile(b"other"))
    assert second != name  # never overwrites an existing file
