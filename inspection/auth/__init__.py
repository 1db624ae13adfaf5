from flask import Blueprint

bp = Blueprint("auth", __name__)

# the route modules, each registering its views on bp
from . import security_views, views  # noqa: E402,F401
