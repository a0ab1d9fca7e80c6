"""Content API keys: named, revocable, with the time each was last used.

A key's secret is shown once, when it is made; only its SHA-256 digest is stored (a key is 256 random
bits, so a fast digest is as safe as a slow password hash, and lets a request find its key by an
indexed lookup), with its first characters for telling keys apart in the admin."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

# What every key starts with, so one found in a log or a repository is recognisable as ours.
KEY_MARK = "ck_"
PREFIX_LENGTH = len(KEY_MARK) + 6
# 32 random bytes in URL-safe base64 (secrets.token_urlsafe(32)) after the mark.
KEY_LENGTH = len(KEY_MARK) + 43


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked=False)


class ApiKey(models.Model):
    name = models.CharField(
        max_length=200, help_text="Who or what uses this key (a front end, an app, a site builder)."
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, editable=False, help_text="The key's first characters."
    )
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    last_used = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="To the minute: it is written at most once a minute per key.",
    )
    revoked = models.BooleanField(default=False, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "Content API key"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self):
        """Give this key a new random secret and return it: the only time it can be read."""
        key = KEY_MARK + secrets.token_urlsafe(32)
        assert len(key) == KEY_LENGTH
        self.prefix = key[:PREFIX_LENGTH]
        self.key_digest = digest(key)
        return key

    def revoke(self):
        """Refuse this key from now on (its cached record is dropped on save: access.py)."""
        if not self.revoked:
            self.revoked, self.revoked_at = True, timezone.now()
            self.save(update_fields=["revoked", "revoked_at"])
