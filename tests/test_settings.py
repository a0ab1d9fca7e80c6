"""cms.settings: refuses to start without a secret key unless DEBUG is on; production redirects to https."""

import os
import runpy
import subprocess
import sys

import pytest
from django.conf import settings


def _load_settings(code="import cms.settings", **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_refuses_to_start_without_a_secret_key():
    result = _load_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1" in result.stderr


def test_starts_without_a_key_in_debug():
    assert _load_settings(DJANGO_DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("env", "pages", "state"),
    [
        ({}, "100000", "1000000"),
        ({"PAGE_CACHE_MAX_ENTRIES": "5000", "PAGE_STATE_MAX_ENTRIES": "300000"}, "5000", "300000"),
    ],
)
def test_the_served_file_cache_is_sized_for_a_real_site(monkeypatch, tmp_path, env, pages, state):
    """Django's default of 300 entries held a fraction of the site's pages; the state, in a folder
    of its own, is out of reach of the pages' culling and sized for every key of the site; the
    pages' file cache is ours (articles/page_cache/file_cache.py: it culls without listing its
    folder on every write)."""
    monkeypatch.delenv("PAGE_CACHE_MAX_ENTRIES", raising=False)
    monkeypatch.delenv("PAGE_STATE_MAX_ENTRIES", raising=False)
    code = (
        "from cms.settings import CACHES as c; p, s = c['default'], c['page_state']; "
        "print(p['BACKEND'], p['OPTIONS']['MAX_ENTRIES'], s['OPTIONS']['MAX_ENTRIES'], p['LOCATION'], s['LOCATION'])"
    )
    result = _load_settings(code, DJANGO_DEBUG="1", CACHE_URL=f"filecache://{tmp_path}/cache", **env)
    assert result.stdout.split() == [
        "articles.page_cache.file_cache.PageFileCache",
        pages,
        state,
        str(tmp_path / "cache"),
        str(tmp_path / "cache" / "state"),
    ]


def test_production_redirects_plain_http_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/blog/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/blog/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_pages_render_before_collectstatic(tmp_path):
    """A fresh clone run with DEBUG off (the seed-page check does that) has no static manifest: the
    production storage must give plain names then, not a ValueError (a 500) for each stylesheet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, STATIC_ROOT=str(tmp_path / "empty"))
    code = (
        "from django.templatetags.static import static; "
        "print(static('css/site.css'), static('css/highlight.css'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/static/css/site.css", "/static/css/highlight.css"]


def test_a_gunicorn_worker_lives_for_hours_at_full_load(monkeypatch):
    """Recycling a worker shows as p99 spikes: at the measured 1,400 req/s, even one worker taking the
    whole load must last an hour or more (max_requests 0 is no recycling at all)."""
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    config = runpy.run_path(str(settings.BASE_DIR / "cms" / "gunicorn.conf.py"))
    full_load, hour = 1_400, 3_600
    # gunicorn adds 0 to max_requests_jitter to max_requests: max_requests is the shortest life.
    assert config["max_requests"] == 0 or config["max_requests"] >= full_load * hour
