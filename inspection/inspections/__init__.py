from flask import Blueprint

bp = Blueprint("inspections", __name__)

from . import template_views, views  # noqa: E402,F401
