"""What one request costs inside a Django WSGI app, without a server or a network: the CPU time the
app itself spends, which wrk's requests/s mix with gunicorn's, the kernel's and wrk's own on a shared
machine. bench/serve.sh runs it for our cached article and for the stock trivial view, alternately.

    DJANGO_SETTINGS_MODULE=cms.settings python bench/wsgi_cost.py /blog/<slug> [--requests N] [--miss]

`path` may have a query string. --miss: every request a page-cache miss that renders and stores a
page: `path` with a query parameter no view reads, new for each request (as bench/api_miss.lua
sends through wrk). (Until 2026-11-27 it made every page stale before each request instead, which
also costs the next render the page cache's state read again: not what a reader's miss costs.)

Prints one line: `cost path=... us=<median microseconds a request over 5 batches> status=...`."""

import argparse
import io
import itertools
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.core.servers.basehttp import get_internal_wsgi_application


def request(app, path):
    """One GET of `path` as the bench's wrk sends it (from a TLS terminator); returns the status."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    answered = []
    b"".join(app(environ, lambda status, headers, exc_info=None: answered.append(status)))
    return answered[0]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=2000, help="requests in each of 5 batches")
    parser.add_argument("--miss", action="store_true", help="every request a page-cache miss")
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    requests = itertools.count()

    def address():
        if not args.miss:
            return args.path
        separator = "&" if "?" in args.path else "?"
        return f"{args.path}{separator}bench-miss={run}-{next(requests)}"

    django.setup()
    app = get_internal_wsgi_application()  # settings.WSGI_APPLICATION: what gunicorn serves
    status = request(app, address())  # a miss stores the page; the rest are hits (but with --miss)
    for _ in range(200):
        request(app, address())
    batches = []
    for _ in range(5):
        spent = 0.0
        for _ in range(args.requests):
            path = address()
            started = time.process_time()
            request(app, path)
            spent += time.process_time() - started
        batches.append(spent / args.requests * 1e6)
    print(f"cost path={args.path} us={statistics.median(batches):.0f} status={status.split()[0]}")


if __name__ == "__main__":
    main()
