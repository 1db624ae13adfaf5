"""Paths to pages, built without a request (services, jobs and the CLI store them in notifications)."""

from flask import current_app


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of `endpoint`, e.g. "/tasks/12"."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values, force_external=False)
