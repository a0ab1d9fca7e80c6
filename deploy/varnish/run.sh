#!/usr/bin/env bash
# Runs varnishd in the foreground with the shipped VCL (default.vcl) in front of an origin. It execs
# varnishd, so this process's PID is the Varnish manager's and SIGTERM stops Varnish.
#
#   deploy/varnish/run.sh ORIGIN_HOST:PORT LISTEN_HOST:PORT RUN_DIR [more varnishd options]
#
# A VCL backend is fixed when the VCL is compiled and varnishd's -b cannot be combined with -f, so
# the origin's address goes into RUN_DIR/backend.vcl, rendered from the shipped backend.vcl; RUN_DIR
# comes first in vcl_path, where default.vcl's `include "backend.vcl"` finds it.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ORIGIN_HOST:PORT LISTEN_HOST:PORT RUN_DIR [varnishd options]" >&2; exit 2; }
origin=$1 listen=$2 run_dir=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
host=${origin%:*} port=${origin##*:}
host=${host#[} host=${host%]}

command -v varnishd >/dev/null || { echo "varnishd not found: apt-get install varnish varnish-modules" >&2; exit 2; }
# Run as root, varnishd drops to the varnish and vcache users, who must read RUN_DIR.
mkdir -p "$run_dir"
chmod 755 "$run_dir"
sed -e "s/\"127.0.0.1\"/\"$host\"/" -e "s/\"8000\"/\"$port\"/" "$here/backend.vcl" >"$run_dir/backend.vcl"
exec varnishd -F -n "$run_dir/varnish" -a "$listen" -T 127.0.0.1:0 \
  -p vcl_path="$run_dir:$here" -f "$here/default.vcl" -s "malloc,${VARNISH_STORAGE:-256m}" "$@"
