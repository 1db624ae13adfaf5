"""Remediation: units fix each finding, prove it; the inspector accepts or returns it."""

from flask import Blueprint

bp = Blueprint("remediation", __name__)

# the route modules, each registering its views on bp
from . import action_views, views  # noqa: E402,F401
