vcl 4.1;

# Newsroom behind Varnish 7 (Debian: apt-get install varnish varnish-modules).
#
# Caches exactly what the app marks cacheable: public pages and feeds for
# readers without a session, each with the dependency keys it was rendered
# from (`xkey` header) and how long it may be kept (`X-Cache-TTL`, bounded by
# the next scheduled publication or expiry). The app purges keys after every
# write: `PURGE /` with `xkey-purge: article-12 list feed …` (VARNISH_PURGE_URLS),
# accepted only from the addresses in acl purgers.

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# The app servers' addresses: only they may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Never cached by the app either (PAGE_CACHE_EXCLUDE_PREFIXES), and previews live under /admin/.
    if (req.url ~ "^/(admin|search|api)(/|$)") {
        return (pass);
    }
    # A session cookie may be a logged-in editor's: never served from, nor stored in, the cache.
    # So may a chosen language (the app's key holds the language).
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|django_language)=") {
        return (pass);
    }
    # Other cookies (analytics) change nothing public pages show.
    unset req.http.Cookie;
    # Keep only the query parameters pages read, like the app (page, without
    # leading zeros, no page=1): utm_*, fbclid and made-up ones cannot fill the cache.
    if (req.url ~ "\?") {
        if (req.url ~ "[?&]page=[0-9]+(&|$)") {
            set req.url = regsub(req.url, "^([^?]*)\?(.*&)?page=0*([0-9]+)(&.*)?$", "\1?page=\3");
            set req.url = regsub(req.url, "\?page=1$", "");
        } else {
            set req.url = regsub(req.url, "\?.*$", "");
        }
    }
    return (hash);
}

sub vcl_backend_response {
    # Only what the app marked cacheable, for as long as it said.
    if (beresp.http.X-Cache-TTL && beresp.http.xkey && !beresp.http.Set-Cookie) {
        set beresp.ttl = std.duration(beresp.http.X-Cache-TTL + "s", 0s);
        set beresp.grace = 0s;
        if (beresp.ttl <= 0s) {
            set beresp.uncacheable = true;
            set beresp.ttl = 0s;
        }
    } else {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
    }
    return (deliver);
}

sub vcl_deliver {
    # Browsers keep Cache-Control's max-age; the keys and the TTL are ours.
    unset resp.http.xkey;
    unset resp.http.X-Cache-TTL;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
