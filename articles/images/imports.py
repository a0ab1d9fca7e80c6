"""Images an import brings along: local files next to the article, and (with --fetch-images) remote
ones. Every image passes the package's Pillow check and is stored once under a content-hash name
through Django's storage API, and only when the article's transaction commits, so a rollback leaves
no orphans.

Fetching refuses private, loopback and link-local addresses unless IMPORT_FETCH_ALLOWED_NETWORKS
allows them, connects to the address it checked (no DNS rebinding; cms/outbound.py), and caps time
and size.
"""

import hashlib
import http.client
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from cms.outbound import PinnedConnection, RefusedAddress, checked_url_address

from . import FORMATS, ImageError, open_checked

IMPORTED_DIR = "articles/imported"
MAX_REDIRECTS = 3
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def image_references(markdown):
    """The image addresses a Markdown body uses, in order, without repeats."""
    found = [*_MARKDOWN_IMAGE.findall(markdown), *_HTML_IMAGE.findall(markdown)]
    return list(dict.fromkeys(found))


def is_remote(reference):
    return urlsplit(reference).scheme in ("http", "https")


def is_relative(reference):
    parts = urlsplit(reference)
    return not parts.scheme and not parts.netloc and not reference.startswith("/") and bool(parts.path)


def read_local(reference, folder):
    """The bytes of a relative image reference, resolved inside the article's folder."""
    folder = Path(folder).resolve()
    target = (folder / unquote(urlsplit(reference).path)).resolve()
    if not target.is_relative_to(folder):
        raise ImageError("is outside the article's folder")
    if not target.is_file():
        raise ImageError("no such file next to the article")
    if target.stat().st_size > settings.IMPORT_IMAGE_MAX_BYTES:
        raise ImageError(f"larger than {settings.IMPORT_IMAGE_MAX_BYTES:,} bytes")
    return target.read_bytes()


def fetch(url):
    """Download `url` (http/https, few redirects, time and size capped, public addresses only)."""
    for _ in range(MAX_REDIRECTS + 1):
        address = _checked_address(url)
        parts = urlsplit(url)
        connection = PinnedConnection(parts, address, timeout=settings.IMPORT_FETCH_TIMEOUT)
        try:
            path = parts.path or "/"
            connection.request(
                "GET",
                path + (f"?{parts.query}" if parts.query else ""),
                headers={"User-Agent": "cms-import/1", "Accept": "image/*"},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise ImageError(f"the server answered {response.status}")
            data = response.read(settings.IMPORT_IMAGE_MAX_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise ImageError(f"could not be fetched ({exc.__class__.__name__}: {exc})") from exc
        finally:
            connection.close()
        if len(data) > settings.IMPORT_IMAGE_MAX_BYTES:
            raise ImageError(f"larger than {settings.IMPORT_IMAGE_MAX_BYTES:,} bytes")
        return data
    raise ImageError(f"more than {MAX_REDIRECTS} redirects")


def _checked_address(url):
    try:
        return checked_url_address(url, settings.IMPORT_FETCH_ALLOWED_NETWORKS)
    except RefusedAddress as exc:
        raise ImageError(str(exc)) from exc


class ImportedImages:
    """The images of one import run. Each is checked and stored once; a remote address is fetched
    at most once per run, and a refusal is remembered as well."""

    def __init__(self, *, fetch_remote):
        self.fetch_remote = fetch_remote
        self.dimensions = {}  # stored name -> (width, height), from the check
        self._fetched = {}  # address -> stored name or the ImageError it gave
        # Addresses stored by the current file: its savepoint may still roll back, and with it the
        # write waiting for the commit, so they are reused by later files only once the file is kept.
        self._fetched_by_file = {}

    def new_file(self):
        self._fetched_by_file = {}

    def file_kept(self):
        self._fetched.update(self._fetched_by_file)
        self._fetched_by_file = {}

    def store(self, reference, folder):
        """The storage name of the image `reference` in a file under `folder`, written on commit; ""
        when it is not ours to store (an absolute path, or a remote address while not fetching).
        ImageError says why a file or address was refused."""
        if is_relative(reference):
            return self._store(read_local(reference, folder))
        if not (is_remote(reference) and self.fetch_remote):
            return ""
        known = self._fetched.get(reference) or self._fetched_by_file.get(reference)
        if isinstance(known, ImageError):
            raise known
        if known:
            return known
        try:
            name = self._store(fetch(reference))
        except ImageError as exc:
            self._fetched[reference] = exc
            raise
        self._fetched_by_file[reference] = name
        return name

    def _store(self, data):
        image = open_checked(data)
        name = store_on_commit(data, FORMATS[image.format].extension)
        self.dimensions[name] = image.size
        return name


def store_on_commit(data, extension):
    """The storage name for `data`; the file is written when the transaction commits (once: the
    name is the content's hash, so the same image imported twice is stored once)."""
    name = f"{IMPORTED_DIR}/{hashlib.sha256(data).hexdigest()[:32]}.{extension}"

    def write():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))

    transaction.on_commit(write)
    return name
