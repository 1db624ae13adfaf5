from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import (  # noqa: E402,F401
    anchor_views,
    audit_views,
    device_views,
    import_views,
    merge_views,
    signing_views,
    two_factor_views,
    user_views,
    views,
)
