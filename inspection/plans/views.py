"""Plans and tasks pages."""

from flask import render_template
from flask_login import login_required

from models import Task

from .. import permissions
from ..formatting import local_today
from . import bp
from .timeliness import task_timeliness


@bp.route("/tasks/<int:task_id>")
@login_required
@permissions.scoped_view(Task, "task_id", "task.view")
def task_detail(task: Task):
    """One task: its status, timeliness, updates and the actions the user may take."""
    return render_template("plans/task_detail.html", task=task, timeliness=task_timeliness(task, local_today()))
