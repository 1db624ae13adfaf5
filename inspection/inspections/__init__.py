from flask import Blueprint

bp = Blueprint("inspections", __name__)

from . import (  # noqa: E402,F401
    conclusion_views,
    conflict_views,
    field_views,
    finding_views,
    minutes_views,
    offline_views,
    schedule_views,
    template_views,
    views,
)
