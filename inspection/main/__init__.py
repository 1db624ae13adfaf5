from flask import Blueprint

bp = Blueprint("main", __name__)

from . import tls_views, views  # noqa: E402,F401
