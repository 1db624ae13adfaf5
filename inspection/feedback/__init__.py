"""Citizens rate the one-stop desks (SIPAS-style) by a QR poster; their answers feed the figures,
the coordinator's triage and, through findings, the remediation loop."""

from flask import Blueprint, Flask

bp = Blueprint("feedback", __name__)


def register(app: Flask) -> None:
    """Add the citizens' survey and its desk pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import desk_views, survey_views, triage_views  # noqa: F401

    app.register_blueprint(bp)
