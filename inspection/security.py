"""Request guards and response headers: a strict CSP ('self' only, blob: images for offline photo previews)."""

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


def set_security_headers(response):
    from flask import request

    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
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
    from flask import abort, request

    if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
        abort(400)


def register_security(app) -> None:
    app.after_request(set_security_headers)
    # first of all before-request functions: before the CSRF check reads the form
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unnamed_parts)
