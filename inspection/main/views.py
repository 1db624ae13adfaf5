"""The home page and the notification bell."""

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import notifications
from ..formatting import local_today
from . import bp, todo


@bp.app_template_global("todo_marker")
def todo_marker(item: str):
    return todo.marker(item)


@bp.app_template_filter("todo_badges")
def todo_badges(menu_html):
    """The remembered menu with the signed-in user's counts of work to do (todo.py)."""
    return todo.badges(menu_html, current_user)


@bp.route("/")
@login_required
def home():
    """The signed-in user's start page: what waits for them (Việc cần làm), their roles and units."""
    return render_template("main/home.html", today=local_today(), memberships=current_user.memberships,
                           todo=todo.current(current_user))


@bp.route("/notifications")
@login_required
def notification_list():
    """The user's notifications, newest first."""
    return render_template("main/notifications.html", rows=notifications.recent(current_user))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    """Mark every notification read."""
    notifications.mark_all_read(current_user)
    return redirect(url_for("main.notification_list"))


@bp.route("/healthz")
def healthz():
    """Liveness probe for load balancers."""
    return {"status": "ok"}
