#!/usr/bin/env bash
# make serve-edge: the site as `make serve` runs it (DEBUG off, gunicorn with cms/gunicorn.conf.py,
# the same environment) plus the publishing worker and Varnish in front (deploy/varnish), as three
# processes this script owns on loopback. Ctrl-C or SIGTERM stops all three; so does any one of
# them exiting. Interface (scripts rely on it; README "Edge cache"):
#   needs DJANGO_SECRET_KEY; answers through Varnish on 127.0.0.1:${EDGE_PORT:-8080}; gunicorn
#   listens on ${BIND:-127.0.0.1:8000}; DATABASE_URL, MEDIA_ROOT and CACHE_URL as for make serve.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DJANGO_SECRET_KEY:?Set DJANGO_SECRET_KEY (make serve-edge runs with DEBUG off)}"
export BIND=${BIND:-127.0.0.1:8000}
EDGE_PORT=${EDGE_PORT:-8080}
# The worker's purges reach the Varnish started here (cms/settings.py: EDGE_CACHES).
export VARNISH_PURGE_URL=${VARNISH_PURGE_URL:-http://127.0.0.1:$EDGE_PORT/}
BIN=.venv/bin
PUBLISH_WORKER=(manage.py publish_worker)

"$BIN/python" manage.py collectstatic --noinput -v0
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py import_seeds

run_dir=$(mktemp -d /tmp/cms-edge-XXXXXX)
pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
  rm -rf "$run_dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/gunicorn" -c cms/gunicorn.conf.py cms.wsgi &
pids+=($!)
"$BIN/python" "${PUBLISH_WORKER[@]}" &
pids+=($!)
deploy/varnish/run.sh "$BIND" "127.0.0.1:$EDGE_PORT" "$run_dir" &
pids+=($!)
echo "Serving through Varnish on http://127.0.0.1:$EDGE_PORT/ (gunicorn on $BIND); Ctrl-C stops all."
# Whichever process ends first ends the others (the EXIT trap).
wait -n
