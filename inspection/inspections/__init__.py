from flask import Blueprint

bp = Blueprint("inspections", __name__)

from . import conclusion_views, field_views, offline_views, schedule_views, template_views, views  # noqa: E402,F401
