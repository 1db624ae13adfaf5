"""The task page's action forms: each one POST, one service call, then back to the task
(refused_forms.act, which the remediation action page's forms share).

A refused input sends the user back to the task page (303), the form drawn there again with the
message next to its field and what was typed; a transition that is no longer possible is flashed."""

from contextlib import contextmanager

from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Task
from models.enums import TaskStatus

from ..data.transaction import unit_of_work
from ..deadlines import services as deadlines
from ..deadlines import views as deadline_views
from ..errors import ValidationError
from ..files import storage
from ..security import permissions
from ..web.refused_forms import FormsPage, act
from . import assignments, bp, workflow
from .forms import uploads
from .task_views import ACTION_FORMS


@contextmanager
def evidence(task: Task, files):
    """Store the uploaded files in the same unit of work as the service call; if the call is
    refused, their rows roll back and their bytes are removed."""
    stored = []
    try:
        with unit_of_work():
            for upload in files:
                stored.append(_store(task, upload))
            yield stored
    except BaseException:
        for attachment in stored:
            storage.backend().delete(attachment.storage_key)
        raise


def _store(task: Task, upload):
    try:
        return storage.store(upload.stream, upload.filename, kind="task_evidence", unit_id=task.unit_id,
                             uploaded_by_id=current_user.id)
    except ValidationError as exc:
        exc.field = exc.field or "files"  # a refused type or size belongs next to the file input
        raise


def _page(task: Task) -> FormsPage:
    return FormsPage(f"task:{task.id}", ACTION_FORMS, "plans.task_detail", {"task_id": task.id},
                     {"return_form": "return-form"})


def _with_files(task: Task, form, field: str, call) -> None:
    with evidence(task, uploads(form[field])) as files:
        call(files)


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.report")
def report_progress(task: Task):
    """Report progress: a percentage, a note and files (báo cáo tiến độ)."""
    def call(form):
        _with_files(task, form, "progress_files", lambda files: workflow.report_progress(
            current_user, task, progress=form.progress.data, note=form.progress_note.data or "", files=files))
    return act(_page(task), "progress_form", call, lambda: _("Đã cập nhật tiến độ %(n)s%%.", n=task.progress),
               fields={"note": "progress_note", "files": "progress_files"})


@bp.route("/tasks/<int:task_id>/comment", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.comment")
def comment_task(task: Task):
    """Add a comment (ý kiến) to the task's thread."""
    def call(form):
        _with_files(task, form, "comment_files", lambda files: workflow.comment_task(
            current_user, task, note=form.comment.data or "", files=files))
    return act(_page(task), "comment_form", call, _("Đã gửi ý kiến."),
               fields={"note": "comment", "files": "comment_files"})


def _submitted(task: Task) -> str:
    if task.status == TaskStatus.AWAITING_HEAD:
        return _("Đã gửi kết quả; chờ thủ trưởng đơn vị xác nhận.")
    return _("Đã gửi kết quả; nhiệm vụ chờ duyệt.")


@bp.route("/tasks/<int:task_id>/submit", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.submit")
def submit_task(task: Task):
    """The unit submits its result, with a note and files (gửi kết quả)."""
    def call(form):
        _with_files(task, form, "result_files", lambda files: workflow.submit_task(
            current_user, task, note=form.result_note.data or "", files=files))
    return act(_page(task), "submit_form", call, lambda: _submitted(task),
               fields={"note": "result_note", "files": "result_files"})


@bp.route("/tasks/<int:task_id>/confirm", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.confirm")
def confirm_task(task: Task):
    """The unit head confirms the result: from today it waits for review (chờ duyệt)."""
    return act(_page(task), "action_form", lambda form: workflow.confirm_task(current_user, task),
               _("Đã xác nhận kết quả; nhiệm vụ chờ duyệt."))


@bp.route("/tasks/<int:task_id>/accept", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.review")
def accept_task(task: Task):
    """The assigning coordinator or leader accepts the result (hoàn thành)."""
    return act(_page(task), "action_form", lambda form: workflow.accept_task(current_user, task),
               _("Đã chấp nhận kết quả: nhiệm vụ hoàn thành."))


def _return(task: Task):
    """A refused return (no reason) goes back to the task page, the form open with the message."""
    return act(_page(task), "return_form", lambda form: workflow.return_task(current_user, task,
                                                                             reason=form.return_reason.data),
               _("Đã trả lại nhiệm vụ cho đơn vị."), fields={"reason": "return_reason"})


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.review")
def return_task(task: Task):
    """The reviewer returns the result to the unit, with a reason (trả lại)."""
    return _return(task)


@bp.route("/tasks/<int:task_id>/return-to-officer", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.confirm")
def head_return_task(task: Task):
    """The unit head sends the result back to the officer before confirming it, with a reason."""
    return _return(task)


@bp.route("/tasks/<int:task_id>/reopen", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.reopen")
def reopen_task(task: Task):
    """A leader reopens an accepted task, with a reason (mở lại)."""
    return act(_page(task), "reopen_form", lambda form: workflow.reopen_task(current_user, task,
                                                                             reason=form.reopen_reason.data),
               _("Đã mở lại nhiệm vụ."), fields={"reason": "reopen_reason"})


@bp.route("/tasks/<int:task_id>/cancel", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "task.assign")
def cancel_task(task: Task):
    """Cancel an unfinished task, with a reason (hủy)."""
    return act(_page(task), "cancel_form",
               lambda form: assignments.cancel_task(current_user, task, form.cancel_reason.data),
               _("Đã hủy nhiệm vụ."), fields={"reason": "cancel_reason"})


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "extension.request")
def request_extension(task: Task):
    """The unit asks for a later deadline, with a reason (đề nghị gia hạn)."""
    def call(form):
        deadlines.request_extension(current_user, task, new_deadline=form.new_deadline.data,
                                    reason=form.extension_reason.data)
    return act(_page(task), "extension_form", call, lambda: _(deadline_views.REQUESTED[deadlines.coordinator_step()]),
               fields={"reason": "extension_reason"})


def _pending(task: Task, form):
    """The request the form was drawn for, if it is still the task's pending one."""
    return deadline_views.pending(deadlines.pending_of(task), form, ValidationError)


@bp.route("/tasks/<int:task_id>/extension/forward", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "extension.forward")
def forward_extension(task: Task):
    """The coordinator forwards the task's extension request to the leader with an opinion."""
    def call(form):
        deadlines.forward_extension(current_user, _pending(task, form), opinion=form.opinion.data,
                                    note=form.forward_note.data or "")
    return act(_page(task), "forward_form", call, _(deadline_views.FORWARDED), fields={"note": "forward_note"})


@bp.route("/tasks/<int:task_id>/extension/decide", methods=["POST"])
@login_required
@permissions.scoped_view(Task, "task_id", "extension.decide")
def decide_extension(task: Task):
    """A leader approves or refuses the task's pending extension request."""
    def call(form):
        deadlines.decide_extension(current_user, _pending(task, form), approve=form.decision.data == "approve",
                                   note=form.decision_note.data or "")
    return act(_page(task), "decision_form", call, _(deadline_views.DECIDED))
