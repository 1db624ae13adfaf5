"""The administrators' operations page: the last backup, queues, failed jobs with their errors
(retry), failed PDF renderings (retry), worker and scheduler heartbeats."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from models import Report

from ..errors import NotFound
from ..reports import services as reports
from ..security import permissions, security_events
from ..web.base_forms import Form
from . import bp, ops

WORKER_STATES = {"idle": _l("đang chờ việc"), "busy": _l("đang chạy một việc"), "started": _l("vừa khởi động"),
                 "suspended": _l("tạm dừng")}


class RetryForm(Form):
    job = HiddenField(validators=[DataRequired(_l("Thiếu mã công việc.")), Length(max=100)])


@bp.route("/admin/ops")
@login_required
def ops_page():
    """Last backup, queue depths, failed jobs (with a retry button), failed renderings, heartbeats."""
    permissions.require(current_user, "ops.view")
    return render_template("dashboard/ops.html", queues=ops.queue_depths(), failed=ops.failed_jobs(),
                           reports=ops.failed_reports(), workers=ops.workers(), schedulers=ops.schedulers(),
                           form=RetryForm(), report_form=Form(), worker_stale=ops.WORKER_STALE,
                           scheduler_stale=ops.SCHEDULER_STALE,
                           WORKER_STATES=WORKER_STATES, backup=ops.backup_status(),
                           refusal_counts=ops.refusal_counts(), recent_refusals=ops.recent_refusals(),
                           REFUSAL_KINDS=security_events.KIND_LABELS, anchor=ops.anchor_status())


@bp.route("/admin/ops/retry", methods=["POST"])
@login_required
def retry_job():
    """Put one failed job back on its queue."""
    permissions.require(current_user, "ops.view")
    form = RetryForm()
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ hoặc trang đã quá hạn; vui lòng tải lại trang."), "error")
        return redirect(url_for("dashboard.ops_page"), 303)
    try:
        queue = ops.retry_job(current_user, form.job.data)
    except NotFound:
        flash(_("Công việc này không còn trong danh sách lỗi (có thể vừa được chạy lại)."), "error")
    else:
        flash(_("Đã đưa công việc trở lại hàng đợi “%(q)s”.", q=queue), "success")
    return redirect(url_for("dashboard.ops_page"), 303)


@bp.route("/admin/ops/reports/<int:report_id>/retry", methods=["POST"])
@login_required
@permissions.scoped_view(Report, "report_id", "ops.view")
def retry_report(report: Report):
    """Render a failed PDF again: a new attempt with a fresh job id (reports.services.retry_report)."""
    if not Form().validate_on_submit():
        flash(_("Yêu cầu không hợp lệ hoặc trang đã quá hạn; vui lòng tải lại trang."), "error")
    elif report.status != "failed":
        flash(_("Bản PDF này không còn ở trạng thái lỗi (có thể vừa được tạo lại)."), "error")
    else:
        reports.retry_report(current_user, report)
        flash(_("Đã đưa bản PDF “%(k)s” (#%(id)s) trở lại hàng đợi để tạo lại.", k=report.kind, id=report.id),
              "success")
    return redirect(url_for("dashboard.ops_page"), 303)
