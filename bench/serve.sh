#!/usr/bin/env bash
# make bench-serve: in one interleaved run (bench/serve_bench.sh, wrk), four servers of the same page
# or its floor, each started here on a free loopback port and stopped on exit:
#   edge      the seed article through Varnish (deploy/serve-edge.sh: the shipped VCL in front of
#             gunicorn with cms/gunicorn.conf.py, and the publishing worker)
#   nginx     the same article's bytes as a static file (the ceiling)
#   gunicorn  the article from our gunicorn directly (a page-cache hit)
#   stock     a trivial view of a stock Django project (bench/stock_django: startproject's
#             middleware), on gunicorn with the same config, workers and class (the floor)
#   api_article, api_list   the Content API's article and list of 15 (include=author,tags) from the
#             same gunicorn, cached (issue 12: each >= 0.9x the cached article page)
# and in process (bench/wsgi_cost.py) the API list of 15 cached and uncached (every request a miss:
# issue 12: uncached >= 0.3x cached).
# Prints the medians and the ratios edge/nginx, gunicorn/stock and the API's, by requests/s and by the
# servers' CPU time a request (server_cpu_us: far less inflated by a loaded machine). Not part of make test.
#   ROUNDS=3 DURATION=5s CONNS="16 64" WORKERS=2 make bench-serve
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx varnishd; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx varnish varnish-modules >/dev/null; break; }
done

free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; return 1; }

work=$(mktemp -d)
site_port=${PORT:-$(free_port)} edge_port=${EDGE_PORT:-$(free_port)}
nginx_port=${NGINX_PORT:-$(free_port)} stock_port=${STOCK_PORT:-$(free_port)}
serve_pid="" nginx_pid="" stock_pid=""
cleanup() {
  for pid in $nginx_pid $stock_pid $serve_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $nginx_pid $stock_pid $serve_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export DJANGO_SECRET_KEY="bench-$(date +%s%N)-not-secret-at-all-but-long-enough-for-django"
export DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SERVE_MEDIA=1
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$work/db.sqlite3}
export CACHE_URL=${CACHE_URL:-filecache://$work/cache} CACHE_KEY_PREFIX="bench-$$"
export MEDIA_ROOT=$work/media STATIC_ROOT=$work/static GUNICORN_ACCESS_LOG=/dev/null
export WEB_CONCURRENCY=${WORKERS:-2}
# The Content API's throttle (per client address) must not refuse the load generator: a rate far
# above the bench's, so its counter is still paid on every request.
export CONTENT_API_RATE_PER_IP=100000000/m CONTENT_API_RATE_PER_KEY=100000000/m
# 200 synthetic articles with authors and tags (bench/synthetic) besides the seed, so that the API's
# list of 15 is 15 articles, each with its author and tags.
.venv/bin/python manage.py migrate --noinput -v0
DJANGO_SETTINGS_MODULE=cms.settings .venv/bin/python -c \
  'import django; django.setup(); from bench.synthetic.database import insert_site; insert_site(200)'
GUNICORN_PIDFILE=$work/gunicorn.pid BIND=127.0.0.1:$site_port EDGE_PORT=$edge_port \
  deploy/serve-edge.sh >"$work/serve-edge.log" 2>&1 &
serve_pid=$!
# The floor: the same gunicorn config (workers, class, recycling), another WSGI app.
GUNICORN_PIDFILE=$work/stock.pid BIND=127.0.0.1:$stock_port STOCK_DJANGO_DB=$work/stock.sqlite3 \
  .venv/bin/gunicorn -c cms/gunicorn.conf.py --pythonpath bench stock_django.wsgi >"$work/stock.log" 2>&1 &
stock_pid=$!

slug=common-it-outsourcing-mistakes-to-avoid
api_list="api/v1/articles/?include=author,tags"
site=http://127.0.0.1:$site_port edge=http://127.0.0.1:$edge_port stock=http://127.0.0.1:$stock_port
wait_for "$edge/blog/$slug" && curl -sf "$edge/blog/$slug" | grep -F "<h1>Common IT Outsourcing Mistakes to Avoid</h1>" >/dev/null \
  || { cat "$work/serve-edge.log"; echo "the article does not answer through Varnish" >&2; exit 1; }
curl -sf -D - -o /dev/null "$edge/blog/$slug" | grep -i "^X-Cache: HIT" >/dev/null \
  || { echo "the article is not kept by Varnish: does the site send Surrogate-Control: max-age=N?" >&2; exit 1; }
wait_for "$stock/ping" && curl -sf "$stock/ping" | grep -qx pong \
  || { cat "$work/stock.log"; echo "the stock Django app does not answer /ping" >&2; exit 1; }

# nginx serves the article's own bytes as a static file (one worker process per core, keep-alive);
# run as root, its workers are another user, who must read the file.
chmod 755 "$work"
mkdir -p "$work/nginx/root"
curl -sf -H "X-Forwarded-Proto: https" "$site/blog/$slug" >"$work/nginx/root/article.html"
cat >"$work/nginx/nginx.conf" <<CONF
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
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nginx_port/article.html"

recycle=$(BIND=127.0.0.1:0 .venv/bin/gunicorn -c cms/gunicorn.conf.py --print-config cms.wsgi | awk '$1 == "max_requests" { print $3 }')
echo "edge: varnishd $(varnishd -V 2>&1 | sed -n 's/.*(varnish-\([0-9.]*\).*/\1/p') with deploy/varnish/default.vcl;" \
  "static: nginx $(nginx -v 2>&1 | cut -d/ -f2);" \
  "gunicorn $(.venv/bin/python -c 'import gunicorn; print(gunicorn.__version__)') -c cms/gunicorn.conf.py: $WEB_CONCURRENCY sync workers, max_requests=$recycle (ours and stock);" \
  "Django $(.venv/bin/python -m django --version); CACHE_URL=${CACHE_URL%%:*}; load $(cut -d' ' -f1-3 /proc/loadavg)"
bench/serve_bench.sh -r "${ROUNDS:-3}" -c "${CONNS:-16 64}" -d "${DURATION:-5s}" -w 2s -t 2 \
  -H "X-Forwarded-Proto: https" -P "$(cat "$work/gunicorn.pid")" -P "$(cat "$work/stock.pid")" -o "$work/results.txt" \
  edge="$edge/blog/$slug" nginx="http://127.0.0.1:$nginx_port/article.html" \
  gunicorn="$site/blog/$slug" stock="$stock/ping" \
  api_article="$site/api/v1/articles/$slug/" api_list="$site/$api_list"
# The API's list of 15 uncached through the same gunicorn: every request a page-cache miss (a query
# parameter no view reads, new for each request, bench/api_miss.lua, under a token new for each run:
# wrk's counters start again at each run, and a run that repeated an earlier one's addresses was
# mostly hits), each right after the same list cached, for each connection count and round. Then
# `floor`: the list of one article's id, uncached the same way: what any miss of the API costs
# (Django's handler and middleware, the page cache's store), whatever the list holds.
# With the CPU time our gunicorn's workers spent a request (as bench/serve_bench.sh counts it).
worker_ticks() {
  local total=0 kid
  for kid in $(ps -o pid= --ppid "$(cat "$work/gunicorn.pid")"); do
    total=$(( total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$kid/stat") ))
  done
  echo "$total"
}
for round in $(seq 1 "${ROUNDS:-3}"); do
  for c in ${CONNS:-16 64}; do
    for kind in cached uncached floor; do
      script=() url="$site/$api_list"
      [ "$kind" = uncached ] && script=(-s bench/api_miss.lua) url="$url&bench-run=$round-$c"
      [ "$kind" = floor ] && script=(-s bench/api_miss.lua) url="$site/api/v1/articles/?limit=1&fields=id&bench-run=$round-$c"
      ticks=$(worker_ticks)
      out=$(wrk -t 2 -c "$c" -d "${DURATION:-5s}" -H "X-Forwarded-Proto: https" "${script[@]}" "$url")
      ticks=$(( $(worker_ticks) - ticks ))
      rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
      requests=$(awk '/requests in/ { print $1 }' <<<"$out")
      echo "API_LIST kind=$kind c=$c rps=$rps server_cpu_us=$(( ticks * 1000000 / $(getconf CLK_TCK) / requests ))"
    done
  done
done | tee -a "$work/results.txt"
# The same two apps' own CPU time a request, in process (bench/wsgi_cost.py), alternately: what
# requests/s mix with the server's, the kernel's and wrk's share of the cores.
for _ in 1 2 3; do
  DJANGO_SETTINGS_MODULE=cms.settings .venv/bin/python bench/wsgi_cost.py "/blog/$slug" | sed 's/^cost /COST name=gunicorn /'
  PYTHONPATH=bench STOCK_DJANGO_DB=$work/stock.sqlite3 DJANGO_SETTINGS_MODULE=stock_django.settings \
    .venv/bin/python bench/wsgi_cost.py /ping | sed 's/^cost /COST name=stock /'
  DJANGO_SETTINGS_MODULE=cms.settings .venv/bin/python bench/wsgi_cost.py "/$api_list" --requests 1000 | sed 's/^cost /COST name=api_list_cached /'
  DJANGO_SETTINGS_MODULE=cms.settings .venv/bin/python bench/wsgi_cost.py "/$api_list" --requests 200 --miss | sed 's/^cost /COST name=api_list_uncached /'
done | tee -a "$work/results.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Medians when there were several rounds, else the one round's numbers.
awk '/^API_LIST/ { split($2, kind, "="); split($3, cc, "="); split($4, r, "="); split($5, us, "=")
       list_rps[kind[2], cc[2], ++list_n[kind[2], cc[2]]] = r[2]; list_cpu[kind[2], cc[2], list_n[kind[2], cc[2]]] = us[2]
       list_conns[cc[2]] = 1 }
     /^COST/ { split($2, name, "="); split($4, us, "="); if (name[2] == "gunicorn") us_gunicorn[++ng] = us[2]
       else if (name[2] == "stock") us_stock[++ns] = us[2]
       else if (name[2] == "api_list_cached") us_api_cached[++nac] = us[2]; else us_api_uncached[++nau] = us[2] }
     /^(RUN|MEDIAN)/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); m[kv[1]] = kv[2] }
       rps[m["name"], m["c"]] = m["rps"]; p99[m["name"], m["c"]] = m["p99"]; conns[m["c"]] = 1
       cpu[m["name"], m["c"]] = m["server_cpu_us"] }
     END { printf "%-4s  %-28s  %-30s  %s\n", "c", "edge/nginx (target >= 0.7)", "gunicorn/stock (target >= 1.0)", "gunicorn p99 (target < 25 ms at 16)"
           for (c in conns) if (rps["nginx", c] > 0 && rps["stock", c] > 0)
             printf "%-4s  %-28.2f  %-30.2f  %s\n", c, rps["edge", c] / rps["nginx", c],
               rps["gunicorn", c] / rps["stock", c], p99["gunicorn", c]
           n = asort(us_gunicorn); asort(us_stock)
           if (n) printf "in process (median of %d): cached article %s us, stock trivial view %s us a request: stock/article = %.2f\n",
             n, us_gunicorn[int((n + 1) / 2)], us_stock[int((n + 1) / 2)], us_stock[int((n + 1) / 2)] / us_gunicorn[int((n + 1) / 2)]
           printf "%-4s  %-38s  %s\n", "c", "api_article/gunicorn (target >= 0.9)", "api_list/gunicorn (target >= 0.9)"
           for (c in conns) if (rps["gunicorn", c] > 0)
             printf "%-4s  %-38.2f  %.2f\n", c, rps["api_article", c] / rps["gunicorn", c], rps["api_list", c] / rps["gunicorn", c]
           printf "%-4s  %s\n", "c", "the same by server CPU time a request (what rps would be on free cores: the load inflates it far less)"
           for (c in conns) if (cpu["gunicorn", c] > 0 && cpu["api_article", c] > 0 && cpu["api_list", c] > 0 && cpu["stock", c] > 0)
             printf "%-4s  gunicorn/stock %.2f, api_article/gunicorn %.2f, api_list/gunicorn %.2f (article %s us, stock %s, api_article %s, api_list %s)\n",
               c, cpu["stock", c] / cpu["gunicorn", c], cpu["gunicorn", c] / cpu["api_article", c], cpu["gunicorn", c] / cpu["api_list", c],
               cpu["gunicorn", c], cpu["stock", c], cpu["api_article", c], cpu["api_list", c]
           for (c in list_conns) {
             split("", cached); split("", uncached)
             for (i = 1; i <= list_n["cached", c]; i++) cached[i] = list_rps["cached", c, i]
             for (i = 1; i <= list_n["uncached", c]; i++) uncached[i] = list_rps["uncached", c, i]
             k = asort(cached); asort(uncached); mid = int((k + 1) / 2)
             printf "c=%s API list of 15 with author and tags, wrk median of %d: cached %s rps, uncached %s rps: uncached/cached = %.2f (target >= 0.3)\n",
               c, k, cached[mid], uncached[mid], uncached[mid] / cached[mid]
             cached_rps = cached[mid]
             split("", cached); split("", uncached)
             for (i = 1; i <= list_n["cached", c]; i++) cached[i] = list_cpu["cached", c, i]
             for (i = 1; i <= list_n["uncached", c]; i++) uncached[i] = list_cpu["uncached", c, i]
             asort(cached); asort(uncached)
             printf "c=%s the same by the workers\047 CPU time a request: cached %s us, uncached %s us: uncached/cached throughput = %.2f\n",
               c, cached[mid], uncached[mid], cached[mid] / uncached[mid]
             split("", floor)
             for (i = 1; i <= list_n["floor", c]; i++) floor[i] = list_rps["floor", c, i]
             asort(floor); split("", floor_cpu)
             for (i = 1; i <= list_n["floor", c]; i++) floor_cpu[i] = list_cpu["floor", c, i]
             asort(floor_cpu)
             if (list_n["floor", c]) printf "c=%s the floor, a list of one id uncached: %s rps, %s us of the workers\047 CPU: floor/cached = %.2f by rps, %.2f by CPU (no uncached list does better)\n",
               c, floor[mid], floor_cpu[mid], floor[mid] / cached_rps, cached[mid] / floor_cpu[mid]
           }
           n = asort(us_api_cached); asort(us_api_uncached)
           if (n) printf "in process (median of %d): API list of 15 with author and tags cached %s us, uncached %s us a request: uncached/cached throughput = %.2f (not the target\047s measure: without gunicorn\047s share, which a hit pays too)\n",
             n, us_api_cached[int((n + 1) / 2)], us_api_uncached[int((n + 1) / 2)], us_api_cached[int((n + 1) / 2)] / us_api_uncached[int((n + 1) / 2)] }' "$work/results.txt"
