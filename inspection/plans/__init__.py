from flask import Blueprint

bp = Blueprint("plans", __name__)

# the route modules, each registering its views on bp
from . import sheet_views, task_actions, task_views, views  # noqa: E402,F401
