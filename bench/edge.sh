#!/usr/bin/env bash
# The edge benchmark: the seed article through Varnish (make serve-edge: deploy/serve-edge.sh, the
# shipped VCL in front of the shipped gunicorn config), the same page's bytes from nginx as a
# static file (the ceiling), and the article from gunicorn directly, interleaved by
# bench/serve_bench.sh at 16 and 64 connections. Prints the ratios to nginx. Not part of make test.
#   ROUNDS=3 DURATION=10s CONNS="16 64" WORKERS=2 bench/edge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx varnishd; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx varnish varnish-modules >/dev/null; break; }
done
work=$(mktemp -d)
site_port=${PORT:-8871} edge_port=${EDGE_PORT:-8872} nginx_port=${NGINX_PORT:-8873}
serve_pid="" nginx_pid=""
cleanup() {
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
  [ -z "$serve_pid" ] || { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_SECRET_KEY="bench-$(date +%s%N)-not-secret-at-all-but-long-enough-for-django"
export DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SERVE_MEDIA=1
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$work/db.sqlite3}
export CACHE_URL=${CACHE_URL:-filecache://$work/cache} CACHE_KEY_PREFIX="bench-$$"
export MEDIA_ROOT=$work/media STATIC_ROOT=$work/static GUNICORN_ACCESS_LOG=/dev/null
export GUNICORN_PIDFILE=$work/gunicorn.pid BIND=127.0.0.1:$site_port EDGE_PORT=$edge_port
export WEB_CONCURRENCY=${WORKERS:-2}
deploy/serve-edge.sh >"$work/serve-edge.log" 2>&1 &
serve_pid=$!
slug=common-it-outsourcing-mistakes-to-avoid
site=http://$BIND edge=http://127.0.0.1:$edge_port
for _ in $(seq 1 300); do curl -sf -o /dev/null "$edge/blog/$slug" && break; sleep 0.2; done
curl -sf "$edge/blog/$slug" | grep -F "<h1>Common IT Outsourcing Mistakes to Avoid</h1>" >/dev/null \
  || { cat "$work/serve-edge.log"; echo "the article does not answer through Varnish" >&2; exit 1; }
curl -sf -D - -o /dev/null "$edge/blog/$slug" | grep -i "^X-Cache: HIT" >/dev/null \
  || { echo "the article is not kept by Varnish: does the site send Surrogate-Control: max-age=N?" >&2; exit 1; }

# nginx serves the article's own bytes as a static file (one worker process per core, keep-alive);
# run as root, its workers are another user, who must read the file.
chmod 755 "$work"
mkdir -p "$work/nginx/root"
curl -sf -H "X-Forwarded-Proto: https" "$site/blog/$slug" >"$work/nginx/root/article.html"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  types { text/html html; }
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/root; }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/article.html" && break; sleep 0.1; done

echo "edge: varnishd $(varnishd -V 2>&1 | sed -n 's/.*(varnish-\([0-9.]*\).*/\1/p') with deploy/varnish/default.vcl; site: gunicorn -c cms/gunicorn.conf.py, $WEB_CONCURRENCY workers; static: nginx $(nginx -v 2>&1 | cut -d/ -f2)"
bench/serve_bench.sh -r "${ROUNDS:-3}" -c "${CONNS:-16 64}" -d "${DURATION:-10s}" -w 2s -t 2 \
  -H "X-Forwarded-Proto: https" -o "$work/results.txt" \
  edge="$edge/blog/$slug" nginx="http://127.0.0.1:$nginx_port/article.html" gunicorn="$site/blog/$slug"
awk '/^MEDIAN/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); m[kv[1]] = kv[2] }
       rps[m["name"], m["c"]] = m["rps"]; conns[m["c"]] = 1 }
     END { for (c in conns) if (rps["nginx", c] > 0)
             printf "c=%s: edge/nginx = %.2f (target >= 0.7), gunicorn/nginx = %.3f\n",
               c, rps["edge", c] / rps["nginx", c], rps["gunicorn", c] / rps["nginx", c] }' "$work/results.txt"
