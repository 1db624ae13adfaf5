from flask import Blueprint

from ..extensions import login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# an API call without a session is a 401 JSON error, never a redirect to the login page
bp.record_once(lambda state: login_manager.blueprint_login_views.setdefault("api", None))

from . import auth, batch, devices, inspections, openapi  # noqa: E402,F401
