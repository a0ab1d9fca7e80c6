vcl 4.1;
# Varnish (Debian's varnish 7.1 + varnish-modules for xkey) in front of the site: README "Edge cache".
#
# What it caches: only responses that say so with `Surrogate-Control: max-age=N` (or s-maxage),
# for N seconds; the site sends that on public pages, with N capped at the next scheduled publish or
# expiry. Browsers always get `max-age=0, must-revalidate`. What it never caches: a response with
# Set-Cookie or Cache-Control private/no-store/no-cache (a staff preview), a response without
# caching headers (404s and redirects: no "not found" window after a publish), any request with a
# session or messages cookie, the admin and the editor's endpoints, anything but GET and HEAD.
# How it is emptied: `PURGE` with `xkey-purge: key1 key2` from loopback (edge/backends.py) drops
# every object whose `xkey` response header names one of the keys.

import std;
import xkey;     # varnish-modules
import cookie;   # bundled with Varnish 7

# The origin: backend.vcl, looked up in vcl_path (deploy/varnish/run.sh puts its own first).
include "backend.vcl";

# Who may purge. Loopback only: the worker that purges runs on this machine.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # A TLS terminator in front of Varnish sets X-Forwarded-Proto; default to https when it is
    # missing. Before the PURGE branch: the header is part of the hash (vcl_hash), and a URL purge
    # hashed without it would miss the object.
    if (!req.http.X-Forwarded-Proto) {
        set req.http.X-Forwarded-Proto = "https";
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Purging is not allowed from " + client.ip));
        }
        if (req.http.xkey-purge) {
            # Hard purge: the next request for any of these pages is a miss, never the old page.
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone + " objects"));
        }
        return (purge);  # by URL: this exact address and host
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|markdownx)(/|$)" || req.http.Authorization) {
        return (pass);
    }
    # A Content API request with a key goes to the site, which checks the key (revoked keys at once)
    # and counts it against the key's rate; one copy per key would also split the cache. Requests
    # without a key may be answered here: the site answers them alike for everyone.
    if (req.url ~ "^/api/" && (req.http.X-Api-Key || req.url ~ "[?&]key=")) {
        return (pass);
    }

    if (req.http.Cookie) {
        cookie.parse(req.http.Cookie);
        if (cookie.isset("sessionid") || cookie.isset("messages")) {
            return (pass);  # someone logged in (an editor, a staff preview) or a pending message
        }
        # Analytics and consent cookies would split the cache per visitor: keep only Django's CSRF
        # cookie (a page that uses it says Vary: Cookie).
        cookie.keep("csrftoken");
        set req.http.Cookie = cookie.get_string();
        if (req.http.Cookie == "") {
            unset req.http.Cookie;
        }
    }
    if (req.url ~ "[?&](utm_[a-z]+|gclid|fbclid)=") {
        set req.url = regsuball(req.url, "(utm_[a-z]+|gclid|fbclid)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    # Not the builtin vcl_recv: it passes every request that carries any cookie.
    return (hash);
}

sub vcl_hash {
    # Django builds absolute addresses from the scheme: http and https pages must not be shared.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Varnish reads s-maxage itself, not Surrogate-Control.
    if (beresp.http.Surrogate-Control ~ "(?i)max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "(?i).*max-age=([0-9]+).*", "\1") + "s", 0s);
    } elsif (!beresp.http.Cache-Control && !beresp.http.Expires) {
        # No caching headers (a 404, a redirect, a health check): the builtin would keep it for
        # default_ttl (2 minutes); we keep only what the site labels.
        set beresp.ttl = 0s;
    }
    # Cache-Control is checked even when Surrogate-Control is present (the builtin VCL ignores it
    # then): a private page must never reach the shared cache.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Surrogate-Control ~ "(?i)no-store"
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;  # hit-for-miss: the next request goes to the site again
        return (deliver);
    }
    # No grace: a page must not be served after its TTL (capped at the next scheduled publish or
    # expiry) or a purge, not even once while a fresh copy is fetched.
    set beresp.grace = 0s;
    set beresp.http.Cache-Control = "max-age=0, must-revalidate";
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The edge's own instructions are nobody else's business (a CDN in front would act on them).
    unset resp.http.xkey;
    unset resp.http.Cache-Tag;
    unset resp.http.Surrogate-Control;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
