vcl 4.1;

# Varnish in front of the balancer, playing the CDN. It keeps what Parley marks public
# (s-maxage, ETag, Vary: app/caching.py decides) and nothing else:
# - a request carrying the session cookie (an editor) or the cookie of the client's own write
#   (parley_wrote, app/replicas.py) goes straight through, never looked up, never stored;
# - a response with Set-Cookie, or marked private / no-store, is never stored;
# - other cookies (analytics and the like) are dropped, so they neither bypass nor split it.
# The backend's address is the one line bench/scale.py rewrites (compose: the balancer).

backend balancer {
    .host = "balancer";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

sub vcl_recv {
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;)\s*(parley_session|parley_wrote)\s*=") {
        return (pass);
    }
    unset req.http.Cookie;
    unset req.http.Authorization;
    # Only "true" means anything to htmx and to the app (caching.Variant): any other value is
    # the same page as none, so made-up values cannot make new entries.
    if (req.http.HX-Request != "true") {
        unset req.http.HX-Request;
    }
    if (req.http.HX-History-Restore-Request != "true") {
        unset req.http.HX-History-Restore-Request;
    }
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || !beresp.http.Cache-Control) {
        # Not stored; the next requests for it go to the backend too, for a short while.
        set beresp.uncacheable = true;
        set beresp.ttl = 5s;
        return (deliver);
    }
    # beresp.ttl is s-maxage when given (Varnish reads it before max-age), and grace is
    # stale-while-revalidate. Kept past both, an object is revalidated with If-None-Match:
    # the app's ETag turns it into a cheap 304.
    set beresp.keep = 2m;
    return (deliver);
}

sub vcl_deliver {
    # For the harness and for operators: whether this answer came from the cache.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
