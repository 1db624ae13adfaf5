"""The remediation action's life: work, evidence, the head's confirmation, review (extensions:
inspection/deadlines, shared with tasks).

Each arrow of DESIGN's remediation state machine is one function; every round of submission
stays in the history. When every action of an inspection is accepted, the inspection closes."""

from datetime import date

from sqlalchemy import select

from models import (
    Finding,
    Inspection,
    OrgUnit,
    RemediationAction,
    RemediationStep,
    RemediationSubmission,
    ancestor_ids,
    db,
    utcnow,
)
from models.enums import REMEDIATION_TRANSITIONS, InspectionStatus, NotificationKind, RemediationStatus, Role

from ..data.transaction import check_version, unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..inspections.common import transition as inspection_transition
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..security import audit, permissions
from ..web.links import path_for


def transition(actor, action: RemediationAction, name: str, *, reason: str = "") -> None:
    sources, target = REMEDIATION_TRANSITIONS[name]
    if action.status not in sources:
        raise InvalidTransition("Không thể thực hiện thao tác này ở trạng thái hiện tại của yêu cầu khắc phục.")
    before = {"status": action.status}
    action.status = target
    if reason:
        action.status_reason = reason
    audit.record(actor, f"remediation.{name.removesuffix('_action')}", "remediation_action", action.id,
                 unit_id=action.unit_id, before=before, after={"status": target, "reason": reason})


def _link(action: RemediationAction) -> str:
    return path_for("remediation.detail", action_id=action.id)


def _group(action: RemediationAction, status: str = "") -> str:
    """The list of the inspection's actions (in `status`): where several notifications about them
    fold into one line."""
    extra = {"status": status} if status else {}
    return path_for("remediation.action_list", inspection_id=action.inspection_id, **extra)


def _current_round(action: RemediationAction) -> RemediationSubmission | None:
    stmt = (select(RemediationSubmission).where(RemediationSubmission.action_id == action.id)
            .order_by(RemediationSubmission.round.desc()).limit(1))
    return db.session.execute(stmt).scalar_one_or_none()


def start_action(actor, action: RemediationAction, *, version) -> RemediationAction:
    """The unit starts work on the action."""
    permissions.require(actor, "remediation.work", action)
    check_version(action, version, {"status": action.status})
    with unit_of_work():
        transition(actor, action, "start_action")
    return action


def submit_action(actor, action: RemediationAction, *, note: str, attachments=(), version) -> RemediationSubmission:
    """The unit reports what it did, with evidence; to its head first where the unit requires it."""
    permissions.require(actor, "remediation.work", action)
    check_version(action, version, {"status": action.status})
    if action.requires_evidence and not attachments:
        raise ValidationError("Cần đính kèm tài liệu hoặc ảnh chứng minh kết quả khắc phục.", field="files")
    if not nfc(note):
        raise ValidationError("Nhập nội dung đã khắc phục.", field="note")
    unit = db.session.get(OrgUnit, action.unit_id)
    skip_head = not unit.requires_head_confirmation or permissions.can(actor, "remediation.confirm", action)
    previous = _current_round(action)
    with unit_of_work():
        transition(actor, action, "submit_action")
        submission = RemediationSubmission(action_id=action.id, round=(previous.round + 1) if previous else 1,
                                           note=nfc(note), submitted_by_id=actor.id, submitted_at=utcnow())
        submission.attachments = list(attachments)
        db.session.add(submission)
        db.session.flush()
        if skip_head:
            _confirmed(actor, action, submission)
        else:
            notify(unit_members([action.unit_id], [Role.UNIT_HEAD]), NotificationKind.SYSTEM,
                   N_("Chờ xác nhận kết quả khắc phục"), _link(action),
                   group=_group(action, "awaiting_head"))
    return submission


def confirm_action(actor, action: RemediationAction, *, version) -> RemediationAction:
    """The unit head confirms: the unit's completion date is today."""
    permissions.require(actor, "remediation.confirm", action)
    check_version(action, version, {"status": action.status})
    with unit_of_work():
        _confirmed(actor, action, _current_round(action))
    return action


def _confirmed(actor, action: RemediationAction, submission: RemediationSubmission) -> None:
    transition(actor, action, "confirm_action")
    action.completed_on = local_today()
    submission.confirmed_by_id, submission.confirmed_at = actor.id, utcnow()
    reviewers = unit_members(ancestor_ids(action.unit_id), [Role.COORDINATOR])  # and who raised the finding
    notify([*reviewers, *([action.raised_by_id] if action.raised_by_id else [])], NotificationKind.SYSTEM,
           N_("Đơn vị đã gửi kết quả khắc phục, chờ đánh giá"), _link(action),
           group=_group(action, "submitted"))


def _review_guard(actor, action: RemediationAction, version) -> RemediationSubmission:
    permissions.require(actor, "remediation.review", action)
    check_version(action, version, {"status": action.status})
    submission = _current_round(action)
    if submission is not None and actor.id in (submission.submitted_by_id, submission.confirmed_by_id):
        raise InvalidTransition("Không tự đánh giá kết quả khắc phục do chính mình gửi.")
    return submission


def accept_action(actor, action: RemediationAction, *, version, note: str = "") -> RemediationAction:
    """The inspector who raised the finding, or the coordinator, accepts (= closed)."""
    submission = _review_guard(actor, action, version)
    with unit_of_work():
        transition(actor, action, "accept_action")
        action.accepted_at = utcnow()
        _reviewed(actor, submission, "accepted", note)
        notify(unit_members([action.unit_id]), NotificationKind.SYSTEM, N_("Kết quả khắc phục đã được chấp nhận"),
               _link(action), group=_group(action))
        _close_inspection_if_done(actor, action.inspection_id)
    return action


def return_action(actor, action: RemediationAction, *, version, reason: str) -> RemediationAction:
    """Return the work to the unit with a reason (the head may return it to the officer)."""
    head_return = action.status == RemediationStatus.AWAITING_HEAD and permissions.can(
        actor, "remediation.confirm", action)
    submission = _current_round(action) if head_return else _review_guard(actor, action, version)
    if head_return:
        check_version(action, version, {"status": action.status})
    if not nfc(reason):
        raise ValidationError("Nhập lý do trả lại.", field="reason")
    with unit_of_work():
        transition(actor, action, "return_action", reason=nfc(reason))
        action.completed_on, action.times_returned = None, action.times_returned + 1
        _reviewed(actor, submission, "returned", reason)
        notify(unit_members([action.unit_id]), NotificationKind.RETURNED,
               N_("Kết quả khắc phục bị trả lại: %(reason)s"), _link(action), params={"reason": nfc(reason)[:200]})
    return action


def _reviewed(actor, submission: RemediationSubmission | None, outcome: str, note: str) -> None:
    if submission is not None:
        submission.reviewed_by_id, submission.reviewed_at = actor.id, utcnow()
        submission.outcome, submission.review_note = outcome, nfc(note)


def _close_inspection_if_done(actor, inspection_id: int | None) -> None:
    if inspection_id is None:  # an action on a finding from citizens' feedback
        return
    inspection = db.session.get(Inspection, inspection_id)
    if inspection.status != InspectionStatus.CONCLUDED:
        return
    open_left = db.session.execute(select(RemediationAction.id).where(
        RemediationAction.inspection_id == inspection_id, RemediationAction.status != RemediationStatus.ACCEPTED,
        RemediationAction.id.is_not(None))).first()
    if open_left is None:
        inspection_transition(actor, inspection, "close_inspection", reason="Mọi tồn tại đã được khắc phục")


def add_step(actor, action: RemediationAction, *, description: str, due_on: date) -> RemediationStep:
    """Add a milestone to the action's remediation plan."""
    permissions.require(actor, "remediation.work", action)
    if not nfc(description):
        raise ValidationError("Nhập nội dung bước khắc phục.", field="description")
    if not isinstance(due_on, date) or due_on > action.deadline:
        raise ValidationError("Ngày của bước phải trước hoặc bằng thời hạn khắc phục.", field="due_on")
    with unit_of_work():
        count = len(steps_of(action))
        step = RemediationStep(action_id=action.id, position=count + 1, description=nfc(description), due_on=due_on)
        db.session.add(step)
        db.session.flush()
        audit.record(actor, "remediation.step_added", "remediation_action", action.id, unit_id=action.unit_id,
                     after={"step": step.description, "due_on": due_on})
    return step


def steps_of(action: RemediationAction) -> list[RemediationStep]:
    stmt = select(RemediationStep).where(RemediationStep.action_id == action.id).order_by(RemediationStep.position)
    return list(db.session.execute(stmt).scalars())


def add_action(actor, finding: Finding, *, unit: OrgUnit, description: str, deadline: date) -> RemediationAction:
    """The coordinator adds an action after the conclusion (a further requirement on a finding)."""
    inspection = db.session.get(Inspection, finding.inspection_id)
    permissions.require(actor, "remediation.manage", unit)
    if inspection.status not in (InspectionStatus.CONCLUDED, InspectionStatus.CLOSED):
        raise InvalidTransition("Chỉ bổ sung yêu cầu khắc phục sau khi đã ban hành kết luận.")
    if not nfc(description) or not isinstance(deadline, date) or deadline < local_today():
        raise ValidationError("Nhập nội dung và thời hạn khắc phục (từ hôm nay trở đi).", field="deadline")
    with unit_of_work():
        action = RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=unit.id,
                                   description=nfc(description), deadline=deadline, original_deadline=deadline,
                                   status=RemediationStatus.OPEN, created_by_id=actor.id,
                                   raised_by_id=finding.recorded_by_id)
        db.session.add(action)
        db.session.flush()
        audit.record(actor, "remediation.opened", "remediation_action", action.id, unit_id=unit.id,
                     after={"finding_id": finding.id, "deadline": deadline})
        if inspection.status == InspectionStatus.CLOSED:
            inspection.status = InspectionStatus.CONCLUDED  # open again until this one is accepted
        notify(unit_members([unit.id]), NotificationKind.ASSIGNED, N_("Yêu cầu khắc phục mới"), _link(action),
               group=_group(action))
    return action


def open_action(actor, finding: Finding, *, description: str, deadline: date) -> RemediationAction:
    """Open the action on a finding that no inspection raised (one opened from citizens' feedback):
    the unit works, proves and is reviewed as on any other action."""
    unit = db.session.get(OrgUnit, finding.unit_id)
    permissions.require(actor, "remediation.manage", unit)
    if not nfc(description) or not isinstance(deadline, date) or deadline < local_today():
        raise ValidationError("Nhập nội dung và thời hạn khắc phục (từ hôm nay trở đi).", field="deadline")
    with unit_of_work():
        action = RemediationAction(inspection_id=None, finding_id=finding.id, unit_id=unit.id,
                                   description=nfc(description), deadline=deadline, original_deadline=deadline,
                                   status=RemediationStatus.OPEN, created_by_id=actor.id, raised_by_id=actor.id)
        db.session.add(action)
        db.session.flush()
        audit.record(actor, "remediation.opened", "remediation_action", action.id, unit_id=unit.id,
                     after={"finding_id": finding.id, "deadline": deadline})
        notify(unit_members([unit.id]), NotificationKind.ASSIGNED, N_("Yêu cầu khắc phục mới"), _link(action))
    return action
