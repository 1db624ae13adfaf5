from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import anchor_views, audit_views, device_views, import_views, merge_views, user_views, views  # noqa: E402,F401
