"""The action page's forms: each one POST, one service call, then back to the action
(refused_forms.act, which the task page's forms share).

A refused input sends the user back to the action page (303), the form drawn there again with the
message next to its field and what was typed; a stale form (the action moved on since the page was
drawn) does the same with the conflict flashed and the page showing the current state; a transition
that is not allowed is flashed."""

from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import RemediationAction
from models.enums import RemediationStatus

from ..data.transaction import check_version
from ..deadlines import services as deadlines
from ..deadlines import views as deadline_views
from ..errors import Conflict
from ..security import permissions
from ..web.refused_forms import FormsPage, act
from . import bp, evidence, services
from .forms import uploads
from .views import ACTION_FORMS

CONFLICT = "%s: %s"


def _page(action: RemediationAction) -> FormsPage:
    conflict = CONFLICT % (_("Xung đột dữ liệu"), _("Yêu cầu khắc phục này đã thay đổi sau khi bạn mở trang, nên "
                                                    "thao tác của bạn chưa được thực hiện (không ghi đè lên thay "
                                                    "đổi của người khác)."))
    return FormsPage(f"action:{action.id}", ACTION_FORMS, "remediation.detail", {"action_id": action.id},
                     {"return_form": "return-form"}, conflict)


def _current(action: RemediationAction, form) -> None:
    """The stale-form check for the services that take no version (steps, extensions)."""
    check_version(action, form.version.data, {"status": action.status})


@bp.route("/remediation/<int:action_id>/start", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.work", as_name="action")
def start_action(action: RemediationAction):
    """The unit starts work on the action (đang khắc phục)."""
    return act(_page(action), "action_form", lambda form: services.start_action(current_user, action,
                                                                                version=form.version.data),
               _("Đã chuyển sang trạng thái đang khắc phục."))


def _submitted(action: RemediationAction) -> str:
    if action.status == RemediationStatus.AWAITING_HEAD:
        return _("Đã gửi kết quả khắc phục; chờ thủ trưởng đơn vị xác nhận.")
    return _("Đã gửi kết quả khắc phục; chờ đoàn kiểm tra đánh giá.")


@bp.route("/remediation/<int:action_id>/submit", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.work", as_name="action")
def submit_action(action: RemediationAction):
    """The unit reports what it did, with evidence files and after photos (gửi kết quả)."""
    def call(form):
        evidence.submit_with_evidence(current_user, action, note=form.submit_note.data,
                                      files=uploads(form.submit_files), pictures=uploads(form.submit_photos),
                                      version=form.version.data)
    return act(_page(action), "submit_form", call, lambda: _submitted(action),
               fields={"note": "submit_note", "files": "submit_files", "photos": "submit_photos"})


@bp.route("/remediation/<int:action_id>/confirm", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.confirm", as_name="action")
def confirm_action(action: RemediationAction):
    """The unit head confirms the result: from today it waits for review (chờ duyệt)."""
    return act(_page(action), "action_form", lambda form: services.confirm_action(current_user, action,
                                                                                  version=form.version.data),
               _("Đã xác nhận kết quả khắc phục; chờ đoàn kiểm tra đánh giá."))


@bp.route("/remediation/<int:action_id>/return-to-officer", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.confirm", as_name="action")
def head_return_action(action: RemediationAction):
    """The unit head sends the result back to the officer before confirming it, with a reason."""
    return _return(action)


@bp.route("/remediation/<int:action_id>/accept", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.review", as_name="action")
def accept_action(action: RemediationAction):
    """The inspector who raised the finding, or the coordinator, accepts the result (= closed)."""
    def call(form):
        services.accept_action(current_user, action, version=form.version.data, note=form.accept_note.data or "")
    return act(_page(action), "accept_form", call, _("Đã chấp nhận kết quả khắc phục."))


def _return(action: RemediationAction):
    """A refused return (no reason) goes back to the action page, the form showing the message."""
    def call(form):
        services.return_action(current_user, action, version=form.version.data, reason=form.return_reason.data)
    return act(_page(action), "return_form", call, _("Đã trả lại kết quả; đơn vị được thông báo lý do."),
               fields={"reason": "return_reason"})


@bp.route("/remediation/<int:action_id>/return", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.review", as_name="action")
def return_action(action: RemediationAction):
    """The reviewer returns the result to the unit, with a reason (trả lại)."""
    return _return(action)


@bp.route("/remediation/<int:action_id>/steps", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.work", as_name="action")
def add_step(action: RemediationAction):
    """Add a milestone with its own date to the action's remediation plan."""
    def call(form):
        _current(action, form)
        services.add_step(current_user, action, description=form.step_description.data,
                          due_on=form.step_due_on.data)
    return act(_page(action), "step_form", call, _("Đã thêm bước khắc phục."),
               fields={"description": "step_description", "due_on": "step_due_on"})


@bp.route("/remediation/<int:action_id>/extension", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "extension.request", as_name="action")
def request_extension(action: RemediationAction):
    """The unit asks for a later deadline, with a reason (đề nghị gia hạn)."""
    def call(form):
        _current(action, form)
        deadlines.request_extension(current_user, action, new_deadline=form.new_deadline.data,
                                    reason=form.extension_reason.data)
    return act(_page(action), "extension_form", call, lambda: _(deadline_views.REQUESTED[deadlines.coordinator_step()]),
               fields={"reason": "extension_reason"})


def _pending(action: RemediationAction, form):
    """The request the form was drawn for, if it is still the action's pending one (else a conflict)."""
    _current(action, form)
    return deadline_views.pending(deadlines.pending_of(action), form, Conflict)


@bp.route("/remediation/<int:action_id>/extension/forward", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "extension.forward", as_name="action")
def forward_extension(action: RemediationAction):
    """The coordinator forwards the action's extension request to the leader with an opinion."""
    def call(form):
        deadlines.forward_extension(current_user, _pending(action, form), opinion=form.opinion.data,
                                    note=form.forward_note.data or "")
    return act(_page(action), "forward_form", call, _(deadline_views.FORWARDED), fields={"note": "forward_note"})


@bp.route("/remediation/<int:action_id>/extension/decide", methods=["POST"])
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "extension.decide", as_name="action")
def decide_extension(action: RemediationAction):
    """A leader approves (the deadline moves; the original stays on record) or refuses."""
    def call(form):
        deadlines.decide_extension(current_user, _pending(action, form), approve=form.decision.data == "approve",
                                   note=form.decision_note.data or "")
    return act(_page(action), "decision_form", call, _(deadline_views.DECIDED))
