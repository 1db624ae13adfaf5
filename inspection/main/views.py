"""The home page and the notification bell."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..language.formatting import local_today
from . import bp, health, notifications, todo
from .forms import OpenNotificationForm


@bp.app_template_global("todo_marker")
def todo_marker(item: str):
    return todo.marker(item)


@bp.after_app_request
def _forget_badges(response):
    """After a change by the user (any write), their menu's badges are read anew."""
    if request.method not in ("GET", "HEAD") and current_user.is_authenticated:
        todo.forget(current_user.id)
    return response


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
    """The user's notifications, newest first, several about the same inspection or plan folded."""
    return render_template("main/notifications.html", rows=notifications.lines(current_user))


@bp.route("/notifications/open", methods=["POST"])
@login_required
def notification_open():
    """Open a notification: it is marked read (with the others of its line) and its page shown."""
    form = OpenNotificationForm()
    if not form.validate_on_submit():
        flash(_("Thông báo không tồn tại hoặc trang đã cũ; vui lòng mở lại danh sách thông báo."), "error")
        return redirect(url_for("main.notification_list"), 303)
    return redirect(notifications.open_notification(current_user, form.notification_id.data), 303)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    """Mark every notification read."""
    notifications.mark_all_read(current_user)
    return redirect(url_for("main.notification_list"), 303)


@bp.route("/healthz")
def healthz():
    """Health probe for load balancers: the database, Redis and the file store reachable (JSON)."""
    answer, status = health.report()
    return answer, status, {"Cache-Control": "no-store"}


@bp.route("/livez")
def livez():
    """The process answers, nothing checked behind it (the benchmarks' floor: the cheapest request)."""
    return {"status": "ok"}
