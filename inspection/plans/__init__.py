from flask import Blueprint

bp = Blueprint("plans", __name__)

from . import sheet_views, views  # noqa: E402,F401
