#!/usr/bin/env bash
# make serve-edge: the site as `make serve` runs it (DEBUG off, bin/prepare-site, then gunicorn with
# cms/gunicorn.conf.py and the publishing worker, in the same environment) plus Varnish in front
# (deploy/varnish), the three run by bin/together: Ctrl-C or SIGTERM stops all three, and so does
# any one of them exiting. Interface (scripts rely on it; README "Edge cache"):
#   needs DJANGO_SECRET_KEY; answers through Varnish on 127.0.0.1:${EDGE_PORT:-8080}; gunicorn
#   listens on ${BIND:-127.0.0.1:8000}; DATABASE_URL, MEDIA_ROOT and CACHE_URL as for make serve.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DJANGO_SECRET_KEY:?Set DJANGO_SECRET_KEY (make serve-edge runs with DEBUG off)}"
export BIND=${BIND:-127.0.0.1:8000}
EDGE_PORT=${EDGE_PORT:-8080}
BIN=.venv/bin

bin/prepare-site
# Edges that outlive this script (a VARNISH_PURGE_URL given, Cloudflare, CloudFront) may hold pages
# the last release rendered, for up to EDGE_MAX_AGE: purged once per release (edge/releases.py). The
# Varnish started below starts empty, and is not up yet: it is left out.
VARNISH_PURGE_URL=${VARNISH_PURGE_URL:-} $BIN/python manage.py announce_release
# The worker's purges reach the Varnish started here (cms/settings.py: EDGE_CACHES).
export VARNISH_PURGE_URL=${VARNISH_PURGE_URL:-http://127.0.0.1:$EDGE_PORT/}

# bin/together runs the three; this script waits for it (rather than exec it) to remove Varnish's
# working directory at the end, and hands it a signal it gets: a script's background job ignores
# SIGINT, so Ctrl-C reaches bin/together as SIGTERM.
together="" signalled=""
stop() {
  signalled=$1
  [ -z "$together" ] || kill -TERM "$together" 2>/dev/null || true
}
trap 'stop 130' INT
trap 'stop 143' TERM
run_dir=$(mktemp -d /tmp/cms-edge-XXXXXX)
bin/together "$BIN/gunicorn -c cms/gunicorn.conf.py cms.wsgi" "$BIN/python manage.py publish_worker" \
  "deploy/varnish/run.sh $(printf '%q ' "$BIND" "127.0.0.1:$EDGE_PORT" "$run_dir")" &
together=$!
[ -z "$signalled" ] || stop "$signalled" # a signal that came while it was being started
echo "Serving through Varnish on http://127.0.0.1:$EDGE_PORT/ (gunicorn on $BIND); Ctrl-C stops all."
status=0
# A signal ends a wait early, once its trap has run: wait again until bin/together has ended.
while kill -0 "$together" 2>/dev/null; do
  wait "$together" || status=$?
done
rm -rf "$run_dir"
exit "${signalled:-$status}"
