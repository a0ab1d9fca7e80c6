"""gunicorn settings for `make serve` (README: "Serving")."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: pages are cached or a few fast queries; two per core plus one, as gunicorn advises.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# Recycling a worker costs a fork and a cold start, and shows as p99 spikes of tens to hundreds of
# ms; at 5,000 requests a worker restarted every few seconds under load. Ten million requests is
# about two hours for one worker taking 1,400 req/s alone, longer when they share the load: still a
# bound on any slow leak, never a cost under load. GUNICORN_MAX_REQUESTS=0 turns recycling off. The
# jitter (10%) keeps the workers from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000_000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
pidfile = os.environ.get("GUNICORN_PIDFILE")
