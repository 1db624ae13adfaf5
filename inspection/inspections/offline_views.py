"""The offline shell's entry points: the service worker served from the site root (so its scope
covers /field and /api/v1) and the web app manifest. Neither carries user data."""

from flask import current_app, send_from_directory

from . import bp


def _no_cache(response):
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker script (static/sw.js), allowed to control the whole site."""
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    return _no_cache(response)


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest (installable on the tablet's home screen)."""
    response = send_from_directory(current_app.static_folder, "manifest.webmanifest",
                                   mimetype="application/manifest+json", max_age=0)
    return _no_cache(response)
