"""Dashboard: the leader's overview of tasks, inspections and remediation; the operations page."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
# the route modules, each registering its views on bp
from . import ops_views, views  # noqa: E402,F401
