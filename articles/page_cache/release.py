"""The release: what the code that renders pages is, as one short id, so that no process serves a
page rendered by other code. It is part of every cached page's key (pages.py): after a deploy, the
new release's processes never look up the pages of the last one, which age out of the cache
(PAGE_CACHE_SECONDS, or culled first on a full file cache) unread. The edge is told by the
`announce_release` command (edge/releases.py).

The id is worked out once a process, from settings.RELEASE when it is set (a deploy that knows its
version: a git commit, an image tag), else from what a page is made of besides the rows: every
template the engines can load (ours and the installed apps'), the static files' manifest (the
hashed names pages link to), the compiled translations in LOCALE_PATHS, our own Python source (the
apps in BASE_DIR and the URLconf's package, cms), requirements.txt and Django's version. Changing any
of them, and restarting, is a new release; restarting the same code is the same one.
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import engines
from django.utils.version import get_version

# The settings the id is worked out from: tests that change one get a new id.
INPUTS = {"RELEASE", "TEMPLATES", "STATIC_ROOT", "LOCALE_PATHS", "BASE_DIR"}


@functools.cache
def current():
    """This process's release id: 12 hex digits."""
    digest = hashlib.sha256()
    if settings.RELEASE:
        digest.update(f"RELEASE={settings.RELEASE}".encode())
    else:
        digest.update(f"django={get_version()}".encode())
        for name, path in _files():
            digest.update(f"\0{name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _files():
    """(name, path) of the files a release is made of, sorted. Names are relative to the folder
    searched, so the same code gives the same id on every machine, wherever it is installed."""
    base = Path(settings.BASE_DIR)
    found = set()
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            found.update(_below(folder, "*", "templates"))
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        found.add(("staticfiles.json", manifest))
    for folder in settings.LOCALE_PATHS:
        found.update(_below(folder, "*.mo", "locale"))
    # Our code: the apps that live in BASE_DIR (not a virtualenv inside it) and the URLconf's package
    # (cms: settings, formats). Installed packages change with requirements.txt.
    source = {Path(config.path) for config in apps.get_app_configs()}
    source.add(base / settings.ROOT_URLCONF.partition(".")[0])
    for folder in source:
        if folder.is_relative_to(base) and "site-packages" not in folder.parts:
            found.update(_below(folder, "*.py", folder.relative_to(base)))
    if (base / "requirements.txt").is_file():
        found.add(("requirements.txt", base / "requirements.txt"))
    return sorted(found)


def _below(folder, pattern, label):
    for path in Path(folder).rglob(pattern):
        if path.is_file() and "__pycache__" not in path.parts:
            yield f"{label}/{path.relative_to(folder)}", path


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in INPUTS:
        current.cache_clear()
