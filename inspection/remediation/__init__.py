"""Remediation: units fix each finding, prove it; the inspector accepts or returns it."""

from flask import Blueprint, Flask

bp = Blueprint("remediation", __name__)


def register(app: Flask) -> None:
    """Add the remediation pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import action_views, views  # noqa: F401

    app.register_blueprint(bp)
