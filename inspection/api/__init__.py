from flask import Blueprint, Flask

from ..extensions import login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# an API call without a session is a 401 JSON error, never a redirect to the login page
bp.record_once(lambda state: login_manager.blueprint_login_views.setdefault("api", None))


def register(app: Flask) -> None:
    """Add the tablet's JSON API to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import auth, batch, devices, inspections, openapi  # noqa: F401

    app.register_blueprint(bp)
