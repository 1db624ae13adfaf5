"""Request guards and response headers: a strict CSP ('self' only, blob: images for offline photo previews)."""

from flask import abort, g, request

CSP = "; ".join([
    "default-src 'self'",
    "img-src 'self' blob:",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# a year, this host and every name under it (ASVS 3.4.1, level 2); browsers ignore it over plain HTTP
HSTS = "max-age=31536000; includeSubDomains"
# pages and API answers; files (static assets, downloads, photos) set their own caching
PRIVATE_TYPES = ("text/html", "application/json")


def set_security_headers(response):
    # what a signed-in user was shown is never kept by the browser or a proxy (ASVS 14.3.2); a view
    # that chose its own caching (a download, a static file) keeps its choice. The tablet's offline
    # copies are the service worker's Cache Storage, which HTTP caching headers do not govern.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated and response.mimetype in PRIVATE_TYPES:
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def refuse_unnamed_parts():
    """A multipart part whose name does not parse (a raw newline in it) arrives under the key None,
    which breaks whatever reads the form (the CSRF check first): refuse it as a bad request."""
    if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
        abort(400)


def name_cookies(config) -> None:
    """A Secure session cookie is named with the __Host- prefix (ASVS 3.3.1): the browser then
    takes it only over HTTPS, for the whole host (Path=/) and never from a parent domain (no
    Domain). The CSRF token lives in the session; the remember-me cookie is never set."""
    if not config["SESSION_COOKIE_SECURE"]:
        return
    config["SESSION_COOKIE_NAME"] = "__Host-session"
    config["SESSION_COOKIE_PATH"] = "/"
    config["SESSION_COOKIE_DOMAIN"] = None
    config.update(REMEMBER_COOKIE_NAME="__Host-remember_token", REMEMBER_COOKIE_SECURE=True,
                  REMEMBER_COOKIE_PATH="/", REMEMBER_COOKIE_DOMAIN=None)


def register_security(app) -> None:
    if app.config["PROFILE"] == "production":
        app.config["DEBUG"] = False  # never the debugger in production, whatever FLASK_DEBUG says
    name_cookies(app.config)
    app.after_request(set_security_headers)
    # first of all before-request functions: before the CSRF check reads the form
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unnamed_parts)
