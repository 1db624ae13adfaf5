"""The extension flow's state changes, the same for a task and a remediation action. Each is one
function: permission, rules, the change, its audit event, the commit; notifications after it.

- request_extension: the unit asks for a date after the current deadline, with a reason; at most
  one request per subject is pending (a partial unique index holds it under concurrent requests).
- forward_extension: the coordinator (Phòng/Sở Nội vụ) sends it to the leader with an opinion.
- decide_extension: a leader approves (the deadline moves; the original stays on record) or
  refuses a forwarded request, or a requested one where EXTENSION_COORDINATOR_STEP is off.
Nobody forwards or decides their own request."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import ExtensionRequest, ancestor_ids, db, utcnow
from models.enums import FORWARD_OPINIONS, PENDING_EXTENSION, ExtensionStatus, NotificationKind, Role

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..security import audit, permissions
from .subjects import Subject, awaits_leader, coordinator_step, request_subject, subject_of

ALREADY_PENDING = N_("Đang có một đề nghị gia hạn chờ xử lý; không gửi thêm đề nghị khác.")
ALREADY_DECIDED = N_("Đề nghị gia hạn này đã được quyết định.")


def pending_of(record) -> ExtensionRequest | None:
    """The subject's request waiting for the coordinator or the leader, if any."""
    column = getattr(ExtensionRequest, subject_of(record).column)
    stmt = select(ExtensionRequest).where(column == record.id, ExtensionRequest.status.in_(PENDING_EXTENSION))
    return db.session.execute(stmt).scalar_one_or_none()


def request_extension(actor, record, *, new_deadline: date, reason: str) -> ExtensionRequest:
    """The unit asks for a later deadline for `record` (a task or a remediation action)."""
    subject = subject_of(record)
    permissions.require(actor, "extension.request", record)
    reason = nfc(reason)
    _check_request(subject, record, new_deadline, reason)
    request = ExtensionRequest(**{subject.column: record.id}, unit_id=record.unit_id, requested_by_id=actor.id,
                               current_deadline=record.deadline, requested_deadline=new_deadline, reason=reason)
    try:
        with unit_of_work():
            db.session.add(request)
            db.session.flush()  # a concurrent pending request fails here, on the partial unique index
            _audit(actor, subject, record, "extension.requested",
                   after={"request": request.id, "deadline": new_deadline, "reason": reason})
            roles = [Role.COORDINATOR] if coordinator_step() else [Role.LEADER]
            notify(unit_members(ancestor_ids(record.unit_id), roles), NotificationKind.SYSTEM,
                   N_("Đề nghị gia hạn: %(title)s"), subject.link(record), params=_title(subject, record))
    except IntegrityError as exc:
        raise ValidationError(ALREADY_PENDING, field="new_deadline") from exc
    return request


def _check_request(subject: Subject, record, new_deadline, reason: str) -> None:
    if record.status not in subject.extendable:
        raise InvalidTransition(subject.closed_message)
    if not isinstance(new_deadline, date) or new_deadline <= record.deadline:
        raise ValidationError("Thời hạn đề nghị phải sau thời hạn hiện tại.", field="new_deadline")
    if not reason:
        raise ValidationError("Nhập lý do đề nghị gia hạn.", field="reason")
    if pending_of(record) is not None:
        raise ValidationError(ALREADY_PENDING, field="new_deadline")


def forward_extension(actor, request: ExtensionRequest, *, opinion: str, note: str = "") -> ExtensionRequest:
    """The coordinator forwards a requested extension to the leader with an opinion and a note."""
    subject = request_subject(request)
    record = subject.of(request)
    permissions.require(actor, "extension.forward", record)
    if request.status != ExtensionStatus.REQUESTED:
        raise InvalidTransition("Đề nghị gia hạn này đã được chuyển lãnh đạo hoặc đã được quyết định.")
    _not_own(actor, request)
    if opinion not in FORWARD_OPINIONS:
        raise ValidationError("Chọn đề xuất đồng ý hoặc không đồng ý.", field="opinion")
    note = nfc(note)
    if opinion == "disagree" and not note:
        raise ValidationError("Nhập lý do đề xuất không đồng ý.", field="note")
    with unit_of_work():
        request.status, request.forward_opinion, request.forward_note = ExtensionStatus.FORWARDED, opinion, note
        request.forwarded_by_id, request.forwarded_at = actor.id, utcnow()
        _audit(actor, subject, record, "extension.forwarded",
               after={"request": request.id, "opinion": opinion, "note": note})
        notify(unit_members(ancestor_ids(record.unit_id), [Role.LEADER]), NotificationKind.SYSTEM,
               N_("Đề nghị gia hạn chờ quyết định: %(title)s"), subject.link(record), params=_title(subject, record))
    return request


def decide_extension(actor, request: ExtensionRequest, *, approve: bool, note: str = "") -> ExtensionRequest:
    """A leader approves (the deadline moves; the original stays on record) or refuses."""
    subject = request_subject(request)
    record = subject.of(request)
    permissions.require(actor, "extension.decide", record)
    if request.status not in PENDING_EXTENSION:
        raise InvalidTransition(ALREADY_DECIDED)
    if not awaits_leader(request):
        raise InvalidTransition("Đề nghị gia hạn chưa được chuyển lãnh đạo; chờ ý kiến của cơ quan tham mưu.")
    _not_own(actor, request)
    if approve and request.requested_deadline <= record.deadline:
        raise ValidationError("Thời hạn đề nghị không còn sau thời hạn hiện tại; không thể đồng ý gia hạn.")
    with unit_of_work():
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), nfc(note)
        before = record.deadline
        if approve:
            record.deadline = request.requested_deadline
        _audit(actor, subject, record, f"extension.{request.status}", before={"deadline": before},
               after={"deadline": record.deadline, "original_deadline": record.original_deadline})
        told = [*unit_members([record.unit_id]), request.requested_by_id,
                *([request.forwarded_by_id] if request.forwarded_by_id else [])]
        notify(told, NotificationKind.SYSTEM,
               N_("Đã gia hạn: %(title)s") if approve else N_("Không chấp thuận gia hạn: %(title)s"),
               subject.link(record), params=_title(subject, record))
    return request


def _not_own(actor, request: ExtensionRequest) -> None:
    if request.requested_by_id == actor.id:
        raise InvalidTransition("Không tự xử lý đề nghị gia hạn của chính mình.")


def _audit(actor, subject: Subject, record, action: str, **values) -> None:
    audit.record(actor, action, subject.target, record.id, unit_id=record.unit_id, **values)


def _title(subject: Subject, record) -> dict:
    return {"title": subject.title(record)}
