vcl 4.1;

# Varnish in front of mgsite (`make edge`): anonymous GET/HEAD pages are kept for as long
# as the app's s-maxage says, and thrown away by surrogate key the moment the app says their
# content changed (PURGE with an xkey-purge header, from mgsite.page_cache.purge).
#
# The app decides what may be kept: only responses carrying `s-maxage` (its pages for
# visitors, mgsite.page_cache.pages) are cached; its 404s, redirects, search results and
# anything private are fetched every time. Editors (a session cookie), previews, the admin and
# the Markdown editor's endpoints never touch the cache.

import std;
import var;
import xkey;

# The backend and the purgers' ACL: deploy/varnish/site.vcl, or the copy `make edge` writes.
include "site.vcl";

sub vcl_recv {
    # Never trust a client's word about how its request was answered.
    unset req.http.x-cache;

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # First, the app's content generation once the change was committed (see
        # vcl_backend_response), so that no older page slips in after the purge. Set, not
        # raised: after a database restore it goes back.
        if (req.http.xkey-generation ~ "^[0-9]+$") {
            var.global_set("generation", req.http.xkey-generation);
        }
        # Hard purges: nothing here is served stale (grace is 0 below), so a soft purge
        # would buy nothing but a conditional request.
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Name the keys in an xkey-purge header"));
        }
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors' pages and anything a draft shows. /preview/ links are per person.
    if (req.url ~ "^/(admin|preview|markdownx)(/|$)" || req.url ~ "[?&]draft(=|&|$)") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # A session means an editor (staff see drafts at the same addresses): the app's own
    # page cache steps aside for the same cookie (settings.SESSION_COOKIE_NAME, "sessionid";
    # tests/test_edge_cache.py checks the two agree).
    if (req.http.Cookie ~ "(^|;)\s*sessionid=") {
        return (pass);
    }
    # Any other cookie (the CSRF cookie of someone who signed out, analytics) changes nothing
    # on a visitor's page; kept, it would split the cache by the app's `Vary: Cookie`.
    unset req.http.Cookie;

    # Tracking parameters change nothing either; the rest in one order, one cache entry.
    if (req.url ~ "[?&](utm_[a-z]+|gclid|fbclid|msclkid|mc_cid|mc_eid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|gclid|fbclid|msclkid|mc_cid|mc_eid)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    set req.url = std.querysort(req.url);

    # The app sends `Vary: Accept-Encoding` with its gzip bodies: two variants at most,
    # gzip or identity, however browsers spell their header.
    if (req.http.Accept-Encoding ~ "(^|,)\s*gzip\s*(,|;\s*q=(1|0\.[0-9]*[1-9])|$)") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    return (hash);
}

sub vcl_hit {
    set req.http.x-cache = "HIT";
}

sub vcl_miss {
    set req.http.x-cache = "MISS";
}

sub vcl_pass {
    set req.http.x-cache = "PASS";
}

sub vcl_backend_response {
    # Static files (whitenoise: hashed names kept a year, others a minute) as they say.
    if (bereq.url ~ "^/static/" && beresp.status == 200 && beresp.http.Cache-Control ~ "public") {
        return (deliver);
    }
    # Otherwise only what the app marks for shared caches. Its 404 for an article not yet
    # published, a redirect from an old address or an error must not be kept (Varnish's
    # default would keep them two minutes): fetched again each time until the app says so.
    if (!bereq.uncacheable && (beresp.status != 200 || beresp.http.Cache-Control !~ "s-maxage=")) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # A page the app began before the last purged change was committed may show what came
    # before it, yet reach here after the purge: it goes to this visitor, and is not kept.
    if (std.integer(beresp.http.x-page-generation, 0) < std.integer(var.global_get("generation"), 0)) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Never a stale page: the app's s-maxage already ends at the next scheduled change, and
    # every other change purges. (With a health probe, grace could serve while the app is
    # down; without one it would serve old pages after an expiry.)
    set beresp.grace = 0s;
    set beresp.keep = 0s;
}

sub vcl_deliver {
    set resp.http.X-Cache = req.http.x-cache;
    # Internals: the surrogate keys name what a page shows; the s-maxage is for this cache
    # only, which is purged (a cache beyond it would not be).
    unset resp.http.xkey;
    unset resp.http.x-page-generation;
    unset resp.http.X-Varnish;
    unset resp.http.Via;
    if (resp.http.Cache-Control ~ "s-maxage") {
        set resp.http.Cache-Control = regsub(
            regsub(resp.http.Cache-Control, "\s*s-maxage=[0-9]+\s*,?", ""), ",\s*$", "");
    }
}

sub vcl_synth {
    set resp.http.X-Cache = "SYNTH";
}
