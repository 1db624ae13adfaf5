"""Dashboard: the leader's overview of tasks, inspections and remediation; the operations page."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)


@bp.record_once
def _watch_changes(_state) -> None:
    from .summary import watch_changes

    watch_changes()


from . import ops_views, views  # noqa: E402,F401
