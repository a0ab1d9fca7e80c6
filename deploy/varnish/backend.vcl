# The origin Varnish fetches from: gunicorn at make serve's default address. deploy/varnish/run.sh
# writes its own backend.vcl (from BIND) into the run directory, which comes first in vcl_path, so
# this file is what a by-hand `varnishd -p vcl_path=deploy/varnish` uses.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}
