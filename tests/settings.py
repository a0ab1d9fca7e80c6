"""Test settings: the real ones, with a key set first (cms.settings refuses to start without one)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
# Tests call the client over plain http; production's https redirect has its own test.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from cms.settings import *  # noqa: F403
from cms.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Persistent connections belong to long-lived server processes (tests/faults checks them under
# gunicorn); the browser tests' live server thread must not keep one across test flushes.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
