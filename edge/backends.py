"""The edge caches in front of the site, and how each is told that pages changed.

Configured like Django's CACHES (and Wagtail's WAGTAILFRONTENDCACHE), in settings.EDGE_CACHES:

    EDGE_CACHES = {
        "varnish": {"BACKEND": "edge.backends.VarnishBackend", "LOCATIONS": ["http://127.0.0.1:8080"]},
        "cloudflare": {"BACKEND": "edge.backends.CloudflareBackend", "API_TOKEN": "...", "ZONE_ID": "..."},
        "cloudfront": {"BACKEND": "edge.backends.CloudFrontBackend", "DISTRIBUTION_ID": "..."},
    }

A backend is built from its name and options (ImproperlyConfigured names what is wrong: the system
check in checks.py reports it at startup) and purges one Change at a time. A purge that fails raises
EdgePurgeError, whose message names the backend and what the edge answered; the publishing
dispatcher retries the Change. Purging the same Change twice is harmless, and CloudFront, where an
invalidation costs money, is given a caller reference per Change so a retry is not a second one.

Keys that name the whole site (`site`: an author or tag renamed) purge everything at the edges that
purge by address, which cannot list every page.
"""

import json
import urllib.error
import urllib.request
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from publishing.changes import SITE_KEY


class EdgePurgeError(Exception):
    """A purge an edge refused or did not answer. str(exc) names the edge and its answer."""


def configured_backends():
    """One backend per entry of settings.EDGE_CACHES (ImproperlyConfigured for a bad entry)."""
    return [build_backend(name, options) for name, options in settings.EDGE_CACHES.items()]


def build_backend(name, options):
    if not isinstance(options, dict):
        raise ImproperlyConfigured(f'EDGE_CACHES["{name}"] must be a dict of options, got {options!r}.')
    path = options.get("BACKEND")
    try:
        backend_class = import_string(path)
    except (ImportError, TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f'EDGE_CACHES["{name}"]: cannot import BACKEND {path!r}: {exc}') from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, EdgeBackend)):
        raise ImproperlyConfigured(
            f'EDGE_CACHES["{name}"]: BACKEND {path!r} is not an edge.backends.EdgeBackend'
        )
    return backend_class(name, options)


def batches(items, size):
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


class EdgeBackend:
    def __init__(self, name, options):
        self.name = name
        self.timeout = float(options.get("TIMEOUT", settings.EDGE_PURGE_TIMEOUT))

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    def purge(self, change):
        """Make every page the Change's keys or paths name fresh at this edge; raise on failure."""
        raise NotImplementedError

    def required(self, options, option):
        value = options.get(option)
        if not value:
            raise ImproperlyConfigured(f'EDGE_CACHES["{self.name}"] needs {option} ({type(self).__name__}).')
        return value

    def send(self, method, url, *, headers, body=None):
        """The response body of an HTTP request to the edge; EdgePurgeError for anything but a 2xx."""
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            answer = exc.read()[:300].decode("utf-8", "replace").strip()
            raise EdgePurgeError(
                f"{self.name}: {method} {url} answered {exc.code} {exc.reason}: {answer}"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EdgePurgeError(f"{self.name}: {method} {url} failed: {reason}") from exc


class VarnishBackend(EdgeBackend):
    """Varnish with the xkey vmod (deploy/varnish/default.vcl): `PURGE` with an `xkey-purge` header
    listing the keys, sent to every Varnish in LOCATIONS. Pages carry their keys in `xkey`."""

    # Varnish refuses request headers over http_req_hdr_len (8 KB by default).
    MAX_HEADER_CHARS = 4000

    def __init__(self, name, options):
        super().__init__(name, options)
        self.locations = self.required(options, "LOCATIONS")
        if isinstance(self.locations, str) or not all(
            location.startswith(("http://", "https://")) for location in self.locations
        ):
            raise ImproperlyConfigured(
                f'EDGE_CACHES["{name}"]["LOCATIONS"] must be a list of http:// addresses of Varnish, '
                f"got {self.locations!r}."
            )

    def purge(self, change):
        for header in self.key_headers(change.keys):
            for location in self.locations:
                self.send("PURGE", location, headers={"xkey-purge": header})

    def key_headers(self, keys):
        """The keys as space-separated header values, none longer than MAX_HEADER_CHARS."""
        headers, current = [], ""
        for key in sorted(keys):
            if current and len(current) + 1 + len(key) > self.MAX_HEADER_CHARS:
                headers.append(current)
                current = ""
            current = f"{current} {key}" if current else key
        return [*headers, current] if current else headers


class CloudflareBackend(EdgeBackend):
    """Cloudflare's purge API: by cache tag (pages carry their keys in `Cache-Tag`; the default) or,
    with PURGE_BY "urls", by full address (BASE_URL + the Change's paths). The API takes at most
    30 tags or URLs a call."""

    API_URL = "https://api.cloudflare.com/client/v4"
    PER_CALL = 30

    def __init__(self, name, options):
        super().__init__(name, options)
        self.token = self.required(options, "API_TOKEN")
        self.zone = self.required(options, "ZONE_ID")
        self.purge_by = options.get("PURGE_BY", "tags")
        if self.purge_by not in ("tags", "urls"):
            raise ImproperlyConfigured(
                f'EDGE_CACHES["{name}"]["PURGE_BY"] must be "tags" or "urls", got {self.purge_by!r}.'
            )
        self.api_url = options.get("API_URL", self.API_URL).rstrip("/")
        self.base_url = options.get("BASE_URL") or f"https://{settings.SITE_DOMAIN}"

    def purge(self, change):
        if self.purge_by == "tags":
            bodies = [{"tags": batch} for batch in batches(sorted(change.keys), self.PER_CALL)]
        elif SITE_KEY in change.keys:
            bodies = [{"purge_everything": True}]
        else:
            urls = [self.base_url + quote(path) for path in sorted(change.paths)]
            bodies = [{"files": batch} for batch in batches(urls, self.PER_CALL)]
        for body in bodies:
            self.call(body)

    def call(self, body):
        url = f"{self.api_url}/zones/{self.zone}/purge_cache"
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        answer = self.send("POST", url, headers=headers, body=json.dumps(body).encode())
        try:
            result = json.loads(answer)
        except ValueError as exc:
            raise EdgePurgeError(f"{self.name}: POST {url} answered with no JSON: {answer[:200]!r}") from exc
        if not result.get("success"):
            raise EdgePurgeError(f"{self.name}: POST {url} answered success=false: {result.get('errors')}")


class CloudFrontBackend(EdgeBackend):
    """Amazon CloudFront: an invalidation of the Change's paths (boto3; credentials as boto3 finds
    them). The caller reference is the Change's id, so a retried Change is the same invalidation.
    ENDPOINT_URL points boto3 elsewhere (a fake in the tests)."""

    # Paths per invalidation request (CloudFront allows 3,000 in progress per distribution).
    PER_CALL = 1000

    def __init__(self, name, options):
        super().__init__(name, options)
        self.distribution = self.required(options, "DISTRIBUTION_ID")
        self.endpoint_url = options.get("ENDPOINT_URL") or None
        self.region = options.get("REGION", "us-east-1")

    def purge(self, change):
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        paths = ["/*"] if SITE_KEY in change.keys else [quote(path) for path in sorted(change.paths)]
        config = Config(connect_timeout=self.timeout, read_timeout=self.timeout, retries={"max_attempts": 1})
        client = boto3.client(
            "cloudfront", endpoint_url=self.endpoint_url, region_name=self.region, config=config
        )
        for number, batch in enumerate(batches(paths, self.PER_CALL)):
            try:
                client.create_invalidation(
                    DistributionId=self.distribution,
                    InvalidationBatch={
                        "Paths": {"Quantity": len(batch), "Items": batch},
                        "CallerReference": f"{change.id}-{number}",
                    },
                )
            except (BotoCoreError, ClientError) as exc:
                raise EdgePurgeError(
                    f"{self.name}: invalidation on distribution {self.distribution} failed: {exc}"
                ) from exc
