# Varnish in front of Newsroom (docs/deploy.md), purged by the application on every change.
#
# Pages carry a Surrogate-Key header naming what they show (article-12, section-news, home, ...). Set
# PAGE_CACHE_PURGE_URLS=http://127.0.0.1:6081/ and every change sends a PURGE request whose xkey-purge header
# lists the keys it touched; the xkey module (Debian: varnish-modules) drops exactly the pages that name one.
# Between changes, pages are kept for the s-maxage the application sends (PAGE_CACHE_CDN_MAX_AGE).
# Needs Varnish 7 and varnish-modules. tests/test_deploy_proxies.py runs it against the application.

vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";  # gunicorn
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;
}

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
            return (synth(400, "An xkey-purge header is required"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff and the desk: never from the cache. Only a session cookie marks staff; the application checks it.
    if (req.url ~ "^/(admin|health)/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Anonymous pages read no cookie, and no tracking parameter: one object for every reader.
    unset req.http.Cookie;
    set req.url = regsuball(req.url, "([?&])(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)=[^&]*", "\1");
    set req.url = regsuball(req.url, "[?&]+$", "");
    set req.url = std.querysort(req.url);
    if (req.http.Accept-Encoding ~ "gzip") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Set-Cookie || bereq.url ~ "^/(admin|health)/") {
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Served stale only if the application is down or while a page past its s-maxage is fetched again; a
    # purge removes the page outright, so no one sees it after a change.
    set beresp.grace = 30s;
}

sub vcl_deliver {
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        set resp.http.X-Proxy-Cache = "HIT";
    } else {
        set resp.http.X-Proxy-Cache = "MISS";
    }
}
