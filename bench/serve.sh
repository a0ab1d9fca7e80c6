#!/usr/bin/env bash
# make bench-serve: the site run as `make serve` runs it (DEBUG off, gunicorn sync workers, WhiteNoise,
# a shared cache), then wrk (bench/serve_bench.sh) against the seed article, the list page and /ping,
# a constant view in the same app (the floor for any response of this server), interleaved.
# Prints requests/s, p50/p99, errors, worker RSS, and the ratios to /ping. Not part of `make test`.
#   ROUNDS=3 DURATION=10s CONNS=16 WORKERS=2 CACHE_URL=redis://127.0.0.1:6379/5 make bench-serve
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
port=${PORT:-8871}
cleanup() { [ -f "$work/gunicorn.pid" ] && kill "$(cat "$work/gunicorn.pid")" 2>/dev/null; sleep 1; rm -rf "$work"; }
trap cleanup EXIT
export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="bench-$(date +%s%N)-not-secret-at-all-but-long-enough-for-django"
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$work/db.sqlite3}
export CACHE_URL=${CACHE_URL:-filecache://$work/cache} CACHE_KEY_PREFIX="bench-$$"
export MEDIA_ROOT=$work/media STATIC_ROOT=$work/static DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SERVE_MEDIA=1
export GUNICORN_ACCESS_LOG=/dev/null GUNICORN_PIDFILE=$work/gunicorn.pid BIND=127.0.0.1:$port
export WEB_CONCURRENCY=${WORKERS:-2}
$PY manage.py collectstatic --noinput -v0
$PY manage.py migrate --noinput -v0
$PY manage.py import_seeds >/dev/null
$PY manage.py import_seeds tests/data/corpus >/dev/null || true   # a realistic list page; some files are refused
.venv/bin/gunicorn -c cms/gunicorn.conf.py cms.wsgi >"$work/gunicorn.log" 2>&1 &
for _ in $(seq 1 50); do curl -sf "http://$BIND/healthz" >/dev/null && break; sleep 0.2; done
base="http://$BIND"
slug=common-it-outsourcing-mistakes-to-avoid
# The pre-check inside serve_bench.sh sends no header: check the expected bodies here, as https.
curl -sf -H "X-Forwarded-Proto: https" "$base/blog/$slug" | grep -q "<h1>Common IT Outsourcing Mistakes to Avoid</h1>"
curl -sf -H "X-Forwarded-Proto: https" "$base/blog/" | grep -q "/blog/$slug"
curl -sf -H "X-Forwarded-Proto: https" "$base/ping" | grep -q pong
# The shipped cms/gunicorn.conf.py, worker recycling included (what make serve runs), not a bare gunicorn.
recycle=$(.venv/bin/gunicorn -c cms/gunicorn.conf.py --print-config cms.wsgi | awk '$1 == "max_requests" { print $3 }')
echo "server: gunicorn -c cms/gunicorn.conf.py, $WEB_CONCURRENCY sync workers, max_requests=$recycle, DATABASE_URL=${DATABASE_URL%%:*}, CACHE_URL=${CACHE_URL%%:*}"
bench/serve_bench.sh -n -r "${ROUNDS:-3}" -c "${CONNS:-16}" -d "${DURATION:-10s}" -w 2s -t 2 \
  -H "X-Forwarded-Proto: https" -P "$(cat "$work/gunicorn.pid")" -o "$work/results.txt" \
  article="$base/blog/$slug" list="$base/blog/" ping="$base/ping"
awk '/^MEDIAN/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); m[kv[1]] = kv[2] }
       rps[m["name"]] = m["rps"] }
     END { if (rps["ping"] > 0) printf "ratio article/ping = %.2f (target >= 0.8)\nratio list/ping    = %.2f (target >= 0.6)\n",
             rps["article"] / rps["ping"], rps["list"] / rps["ping"] }' "$work/results.txt"
