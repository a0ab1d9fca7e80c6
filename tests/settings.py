"""Test settings: the real ones, with a key set first (cms.settings refuses to start without one)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
# Tests call the client over plain http; production's https redirect has its own test.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from cms.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
