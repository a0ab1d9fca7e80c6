"""The one settings file, driven by environment variables (README: "Settings").

django-environ reads DATABASE_URL and friends: it parses database URLs for SQLite and PostgreSQL
alike, so there is no hand-written URL parsing here and no dev/prod split.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1 for local development.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "corsheaders",
    "storages",
    "markdownx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "articles",
    "publishing",
    "webhooks",
    "edge",
    "content_api",
]

# What only the site's pages need, marked site_only() below: the Content API (/api/) is answered by
# a handler that runs MIDDLEWARE without these (API_MIDDLEWARE, cms/handlers.py). Its answers set no
# cookie and read no user, session or message; its paths are neither static files nor old article
# paths.
SITE_ONLY_MIDDLEWARE = []


def site_only(name):
    SITE_ONLY_MIDDLEWARE.append(name)
    return name


MIDDLEWARE = [
    # CORS headers for /api/ only (CORS_URLS_REGEX), on every answer, refusals included; preflights
    # are answered here, before a key is asked for.
    "corsheaders.middleware.CorsMiddleware",
    # Content API keys and throttling (content_api/access.py), before the page cache: a refused or
    # throttled request is never answered from it.
    "content_api.access.ApiAccessMiddleware",
    # Cached pages for visitors, answered before everything below, whose headers are stored with
    # each page (articles/page_cache/). It yields to SecurityMiddleware's HTTPS redirect.
    "articles.page_cache.CachedPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ETags on every page and 304s for conditional requests (cached pages answer theirs themselves).
    "django.middleware.http.ConditionalGetMiddleware",
    # Static files from the app server, compressed, with far-future cache headers for hashed names.
    site_only("whitenoise.middleware.WhiteNoiseMiddleware"),
    # django-csp's, building the policy from settings once per process (cms/csp.py).
    "cms.csp.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    site_only("django.contrib.sessions.middleware.SessionMiddleware"),
    # The API's too: APPEND_SLASH, and Content-Length.
    "django.middleware.common.CommonMiddleware",
    site_only("django.middleware.csrf.CsrfViewMiddleware"),
    site_only("django.contrib.auth.middleware.AuthenticationMiddleware"),
    site_only("django.contrib.messages.middleware.MessageMiddleware"),
    # Admin login throttling (after AuthenticationMiddleware, as django-axes requires).
    site_only("axes.middleware.AxesMiddleware"),
    # Old article paths answer 301 to the new ones (articles/redirects.py); consulted on 404 only.
    site_only("django.contrib.redirects.middleware.RedirectFallbackMiddleware"),
    # Records which user saved each version (django-simple-history); imports record none.
    site_only("simple_history.middleware.HistoryRequestMiddleware"),
]
API_MIDDLEWARE = [name for name in MIDDLEWARE if name not in SITE_ONLY_MIDDLEWARE]
SITE_ID = 1

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the site) work while the importer writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is away (a friendly 500, not a hang).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
# Reuse connections, only after checking them, so the site recovers by itself when PostgreSQL
# returns. On SQLite too: opening the file and running init_command on every request was a fifth of
# an uncached API list's time.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# How many pages the page cache keeps on a file or local-memory cache before it culls some (Django's
# default, 300, is a fraction of a real site). Redis is sized by its own maxmemory (README: "Serving").
PAGE_CACHE_MAX_ENTRIES = env.int("PAGE_CACHE_MAX_ENTRIES", default=100_000)
# How many entries the page cache's state may hold there: a generation for each surrogate key a
# cached page names (about three an article page: itself and its two neighbours), tokens of a few
# bytes. Culling one makes stale every page that names it, so it is sized for every key of the
# site (two an article, one an author, a tag or a sitemap section: 220,000 at 100,000 articles),
# not for the pages: sized like them, a full cache lost its state faster than its pages.
PAGE_STATE_MAX_ENTRIES = env.int("PAGE_STATE_MAX_ENTRIES", default=1_000_000)
# The alias of the cache that holds the page cache's state apart from the pages (articles/page_cache/).
PAGE_STATE_CACHE = "page_state"
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def cache_settings(
    url, *, key_prefix="cms", max_pages=PAGE_CACHE_MAX_ENTRIES, max_state=PAGE_STATE_MAX_ENTRIES
):
    """CACHES for a CACHE_URL: "default" holds the pages, up to `max_pages` of them.

    A file cache (articles/page_cache/file_cache.py: Django's, but it counts its files without
    listing them on every write) deletes the tenth of its pages written longest ago when full, and a
    local-memory cache the least recently used third, so the page cache's state gets a cache of its
    own (PAGE_STATE_CACHE: a `state` folder inside the file cache's, or another local-memory cache)
    that page traffic never culls, sized by `max_state`. Redis evicts nothing by count: the state
    stays with the pages there, read with the page in one round trip, and keeps no expiry, so
    volatile-* eviction policies never choose it. Other backends (memcached, a database table) keep
    the state with the pages too.
    """
    pages = environ.Env.cache_url_config(url)
    pages["KEY_PREFIX"] = key_prefix
    backend = pages["BACKEND"]
    if backend == "django_redis.cache.RedisCache":
        # Redis being away degrades to uncached pages, never to errors.
        pages.setdefault("OPTIONS", {}).update(
            {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
        )
        return {"default": pages}
    pages.setdefault("OPTIONS", {})["MAX_ENTRIES"] = max_pages
    if backend == FILE_CACHE:
        pages["BACKEND"] = "articles.page_cache.file_cache.PageFileCache"
        # Cheap culls (no listing before each write), so a small one: the pages kept are the hot ones.
        pages["OPTIONS"].setdefault("CULL_FREQUENCY", 10)
        state_location = str(Path(pages["LOCATION"]) / "state")
    elif backend == "django.core.cache.backends.locmem.LocMemCache":
        state_location = f"{pages['LOCATION']}{PAGE_STATE_CACHE}"
    else:
        return {"default": pages}
    state = {**pages, "LOCATION": state_location, "OPTIONS": {**pages["OPTIONS"], "MAX_ENTRIES": max_state}}
    return {"default": pages, PAGE_STATE_CACHE: state}


def throttle_storage(cache_url):
    """Where the Content API counts requests (a `limits` storage URL) for a CACHE_URL: its Redis, one
    atomic count for every worker; with any other cache, each process's memory. A file cache cannot
    count atomically across processes, and a file write per request cost more than a cached answer,
    so each worker counts its own requests, and a client may get up to WEB_CONCURRENCY times the
    rate on such a one-machine deployment."""
    for scheme in ("redis://", "rediss://"):
        if cache_url.startswith(scheme):
            return cache_url
    if cache_url.startswith("rediscache://"):
        return "redis://" + cache_url.removeprefix("rediscache://")
    return "memory://"


# CACHE_URL: local memory by default (runserver, unit tests); `make serve` sets a file cache that
# all workers and the import command share; redis://host:port/db for production.
CACHE_URL = env.str("CACHE_URL", default="locmemcache://")
# Keeps sites (or test runs) that share one Redis apart: the pages' keys and the throttle's.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="cms")
CACHES = cache_settings(CACHE_URL, key_prefix=CACHE_KEY_PREFIX)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# The release (articles/page_cache/release.py): part of every cached page's key, so a deploy never
# serves pages rendered by the code it replaced. Set it to what identifies a build (a git commit, an
# image tag); empty: worked out at start from the templates, static manifest, translations and code.
RELEASE = env.str("RELEASE", default="")
# Longest life of a cached page; it is shorter when a scheduled publish or expiry comes sooner. A day,
# like EDGE_MAX_AGE: invalidation is exact (each change's keys, the schedule) and a deploy changes the
# release in the keys, so the lifetime is only a safety net. 600 s re-rendered every page every ten
# minutes whether it changed or not, which capped the hit ratio under a Zipf load at 57% at 10
# requests/s (93% with a day; bench/README.md, "make bench-cache").
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 60 * 60)
# How long an edge cache (Varnish, a CDN) may keep a public page (`Surrogate-Control: max-age`); it is
# purged by surrogate key on every change, and kept no later than the next scheduled publish or expiry.
EDGE_MAX_AGE = env.int("EDGE_MAX_AGE", default=24 * 60 * 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out logins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en")
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
# The site's own words (header, "min read", pagination, "Contents"), shipped in English and French:
# locale/<language>/LC_MESSAGES/django.po (make messages). Article pages speak their article's language.
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages the site publishes in: the admin offers a translation into each one an article lacks.
SITE_LANGUAGES = env.list("SITE_LANGUAGES", default=["en", "fr"])
# Our date formats first (cms/formats/<language>/formats.py), then Django's for every other language.
FORMAT_MODULE_PATH = ["cms.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Serve MEDIA_URL from Django itself: on for DEBUG and for `make serve` on a single machine; off
# behind a proxy that serves MEDIA_ROOT (README: "Serving").
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)

# Without collectstatic (a fresh clone run with DEBUG off), WhiteNoise serves from the app folders.
WHITENOISE_USE_FINDERS = env.bool(
    "WHITENOISE_USE_FINDERS", default=not (STATIC_ROOT / "staticfiles.json").exists()
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names after collectstatic; without a manifest (runserver, a check run
    # before collectstatic) the plain names are served instead of failing the page.
    "staticfiles": {"BACKEND": "cms.storage.StaticFiles"},
}
# Media on S3-compatible object storage (django-storages) when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
        },
    }

# The site's name and the publisher named in page metadata.
SITE_NAME = env.str("SITE_NAME", default="Articles")
# The host feeds and the sitemap put in absolute addresses (articles/site.py sets it on migrate).
SITE_DOMAIN = env.str(
    "SITE_DOMAIN",
    default=next((host.lstrip(".") for host in ALLOWED_HOSTS if host not in ("*", "")), "localhost:8000"),
)

# Reader search finds and ranks at most this many articles, the newest matches: a search costs the
# same at 100,000 articles as at 1,000 (issue 11). The page says when the limit was reached.
SEARCH_RESULTS_LIMIT = env.int("SEARCH_RESULTS_LIMIT", default=200)

# import_seeds refuses larger files before reading them: one huge file must not exhaust memory.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=5 * 1024 * 1024)
# Seconds a worker of import_seeds --jobs may spend parsing and rendering one file: past it the file
# fails with a line of its own and the import goes on (0: no limit).
IMPORT_FILE_TIMEOUT = env.float("IMPORT_FILE_TIMEOUT", default=60.0)
# Images an import stores (local ones, and remote ones with --fetch-images).
IMPORT_IMAGE_MAX_BYTES = env.int("IMPORT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=10.0)
# Networks --fetch-images may reach besides public addresses (e.g. 10.0.0.0/8 for an intranet CMS).
IMPORT_FETCH_ALLOWED_NETWORKS = env.list("IMPORT_FETCH_ALLOWED_NETWORKS", default=[])

# Editor: markdownx previews through our own renderer, so the preview is the page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.markdown.render"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
# Images dropped into the editor (articles/images/uploads.py): verified with Pillow, re-encoded without
# EXIF, stored under random names in EDITOR_UPLOAD_DIR of the default storage.
EDITOR_UPLOAD_DIR = "articles/uploads/"
EDITOR_UPLOAD_MAX_BYTES = env.int("EDITOR_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Width × height × frames, counted before decoding: refuses decompression bombs.
EDITOR_UPLOAD_MAX_PIXELS = env.int("EDITOR_UPLOAD_MAX_PIXELS", default=40_000_000)
# Wider still images are scaled down to this width (the page column is far narrower).
EDITOR_IMAGE_MAX_WIDTH = env.int("EDITOR_IMAGE_MAX_WIDTH", default=2000)
# A fixed-height editor beside a scrolling preview (static/articles/admin/editor.css), not a
# textarea that grows to the length of the article.
MARKDOWNX_EDITOR_RESIZABLE = False

# Behind TLS in production (DJANGO_DEBUG off): redirect to https, trust the proxy's header, HSTS.
# `manage.py check --deploy` reports nothing with these defaults (tests/test_security.py).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp; Django 5.2 has none built in): our own scripts, styles and
# fonts only; images from us and the hosts in CSP_IMAGE_HOSTS (the seed's are on res.cloudinary.com).
# Inline style *attributes* stay allowed: Markdown tables align cells with style="text-align:…"
# (the sanitizer lets no other property through) and the admin's widgets set a few.
CSP_IMAGE_HOSTS = env.list("CSP_IMAGE_HOSTS", default=["https://res.cloudinary.com"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "font-src": ["'self'"],
        "img-src": ["'self'", "data:", *CSP_IMAGE_HOSTS],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The admin's pages only (cms/csp.py): a cover image chosen for upload is shown from the file itself,
# a blob: address (static/articles/admin/cover-preview.js), before the form is sent (issue 14, defect 5).
CSP_ADMIN_UPDATE = {"img-src": ["blob:"]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}

# Background work (publish events, edge purges, webhooks, scheduled publishing): django-tasks, the
# API Django 6 ships as django.tasks, with its database backend, so a task enqueued inside a
# transaction is committed or rolled back with it and no new service is needed. The worker:
# `manage.py db_worker` (make serve runs it).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

# Webhooks (webhooks/; README: "Webhooks"): each POST waits at most WEBHOOK_TIMEOUT seconds; a failed
# one is tried again after a random wait of up to BASE × 2^(failures−1) seconds (at most MAX), until
# WEBHOOK_MAX_ATTEMPTS have failed. Targets must be public addresses unless in WEBHOOK_ALLOWED_NETWORKS.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=10.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 60 * 60)
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# Publish events (publishing/): who hears of each change, and how hard we try. Receivers are dotted
# paths of callables receiver(change); `manage.py check` refuses one that cannot be imported.
PUBLISHING_RECEIVERS = env.list(
    "PUBLISHING_RECEIVERS",
    default=["articles.page_cache.invalidate_change", "edge.receivers.purge", "webhooks.receivers.notify"],
)
# A receiver that keeps failing is given up after this many tries (visible in the admin), the
# waits between tries doubling from the base up to the cap, each a random part of that (jitter).
PUBLISHING_MAX_ATTEMPTS = env.int("PUBLISHING_MAX_ATTEMPTS", default=10)
PUBLISHING_RETRY_BASE_SECONDS = env.float("PUBLISHING_RETRY_BASE_SECONDS", default=2.0)
PUBLISHING_RETRY_CAP_SECONDS = env.float("PUBLISHING_RETRY_CAP_SECONDS", default=600.0)
# A delivery under way for longer than this is presumed dead (its worker killed) and is handed over
# again; receivers must time out well within it.
PUBLISHING_CLAIM_SECONDS = env.float("PUBLISHING_CLAIM_SECONDS", default=60.0)
# How often publish_worker looks for deliveries a dead worker left behind.
PUBLISHING_SWEEP_SECONDS = env.float("PUBLISHING_SWEEP_SECONDS", default=10.0)
# /healthz answers 503 once a due delivery has waited longer than this: no worker is running.
PUBLISHING_STALL_SECONDS = env.int("PUBLISHING_STALL_SECONDS", default=300)

# Content API (README: "Content API: keys, limits, CORS"). Keys are made in the admin; with
# CONTENT_API_KEY_REQUIRED off (the pages are public too) a request may come without one, but a key
# that is sent must be known and unrevoked. Rates are "count/period" ("600/m", "10/s", "100/5m";
# content_api/throttling.py); empty for no limit. Requests with a key count against the key, others
# against their address.
CONTENT_API_KEY_REQUIRED = env.bool("CONTENT_API_KEY_REQUIRED", default=False)
CONTENT_API_RATE_PER_KEY = env.str("CONTENT_API_RATE_PER_KEY", default="1200/m")
CONTENT_API_RATE_PER_IP = env.str("CONTENT_API_RATE_PER_IP", default="300/m")
# Where the counters live, a `limits` storage URL: by default CACHE_URL's Redis, else each process's
# memory (throttle_storage()). Should it be away, requests are let through, as pages are served
# uncached then, not refused.
CONTENT_API_THROTTLE_STORAGE = env.str("CONTENT_API_THROTTLE_STORAGE", default=throttle_storage(CACHE_URL))
# Behind a proxy (Varnish, a load balancer), the header it writes the client's address in, e.g.
# X-Forwarded-For: its last address is taken, the one our proxy added (a client can put any address
# in front of it). Empty: the connection's address (REMOTE_ADDR).
CONTENT_API_CLIENT_ADDRESS_HEADER = env.str("CONTENT_API_CLIENT_ADDRESS_HEADER", default="")
# Cross-origin reads of the API from these origins ("https://app.example.com"), with
# django-cors-headers; nothing outside /api/ gets CORS headers.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "authorization", "if-none-match", "x-api-key")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")
CORS_PREFLIGHT_MAX_AGE = 86400

# Edge caches purged on every publish event (edge/backends.py, README "Edge cache"): Varnish at
# VARNISH_PURGE_URL (comma-separated for several; make serve-edge sets it), Cloudflare with a zone id
# and an API token, CloudFront with a distribution id (AWS credentials as boto3 finds them).
EDGE_PURGE_TIMEOUT = env.float("EDGE_PURGE_TIMEOUT", default=5.0)
EDGE_CACHES = {}
if env.list("VARNISH_PURGE_URL", default=[]):
    EDGE_CACHES["varnish"] = {
        "BACKEND": "edge.backends.VarnishBackend",
        "LOCATIONS": env.list("VARNISH_PURGE_URL"),
    }
if env.str("CLOUDFLARE_ZONE_ID", default=""):
    EDGE_CACHES["cloudflare"] = {
        "BACKEND": "edge.backends.CloudflareBackend",
        "ZONE_ID": env.str("CLOUDFLARE_ZONE_ID"),
        "API_TOKEN": env.str("CLOUDFLARE_API_TOKEN", default=""),
        "PURGE_BY": env.str("CLOUDFLARE_PURGE_BY", default="tags"),
    }
if env.str("CLOUDFRONT_DISTRIBUTION_ID", default=""):
    EDGE_CACHES["cloudfront"] = {
        "BACKEND": "edge.backends.CloudFrontBackend",
        "DISTRIBUTION_ID": env.str("CLOUDFRONT_DISTRIBUTION_ID"),
    }
