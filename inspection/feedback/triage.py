"""The coordinator's triage of complaints (an answer with a low score and a comment): dismiss with a
reason, open a finding for the unit (an ordinary finding with severity and an action with a
deadline, remediated like any other), or list the desk for the next surprise inspection. Sharing an
answer shows its text to the unit; nothing else does."""

import uuid
from datetime import date

from sqlalchemy import select

from models import Desk, Feedback, Finding, OrgUnit, db, utcnow
from models.enums import Severity

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..language.text import fold, nfc
from ..remediation.services import open_action
from ..security import audit, permissions, scoping

RECEIVED, DISMISSED, FINDING_OPENED, LISTED = "received", "dismissed", "finding_opened", "listed"
STATUS_LABELS = {RECEIVED: N_("Chờ xem xét"), DISMISSED: N_("Không xử lý"), FINDING_OPENED: N_("Đã mở tồn tại"),
                 LISTED: N_("Đưa vào danh sách kiểm tra đột xuất")}


def complaints(actor, limit: int = 200) -> list[tuple[Feedback, str, str]]:
    """The complaints waiting for `actor`'s triage: (answer, desk name, unit name), oldest first."""
    permissions.require(actor, "feedback.triage")
    stmt = (select(Feedback, Desk.name, OrgUnit.name).join(Desk, Desk.id == Feedback.desk_id)
            .join(OrgUnit, OrgUnit.id == Feedback.unit_id)
            .where(Feedback.is_complaint, Feedback.status == RECEIVED).order_by(Feedback.id).limit(limit))
    return list(db.session.execute(scoping.scope(stmt, actor, Feedback)).all())


def _decide(actor, answer: Feedback, status: str, note: str, **after) -> None:
    permissions.require(actor, "feedback.triage", answer)
    if answer.status != RECEIVED or not answer.is_complaint:
        raise InvalidTransition("Phản ánh này đã được xử lý.")
    answer.status, answer.triage_note = status, nfc(note)
    answer.triaged_by_id, answer.triaged_at = actor.id, utcnow()
    audit.record(actor, f"feedback.{status}", "citizen_feedback", answer.id, unit_id=answer.unit_id,
                 before={"status": RECEIVED}, after={"status": status, "note": nfc(note), **after})


def dismiss(actor, answer: Feedback, *, reason: str) -> Feedback:
    """Not acted on, with the reason on record."""
    if not nfc(reason):
        raise ValidationError("Nhập lý do không xử lý.", field="note")
    with unit_of_work():
        _decide(actor, answer, DISMISSED, reason)
    return answer


def open_finding(actor, answer: Feedback, *, severity: str, description: str, action: str, deadline: date | None,
                 quote: bool) -> Finding:
    """A finding for the desk's unit and its remediation action; the citizen's words are quoted
    only when the coordinator chooses."""
    permissions.require(actor, "feedback.triage", answer)
    if severity not in set(Severity):
        raise ValidationError("Chọn mức độ.", field="severity")
    text = nfc(description)
    if not text:
        raise ValidationError("Nhập nội dung tồn tại, hạn chế.", field="description")
    if quote and answer.comment:
        text += f"\nÝ kiến của người dân: “{answer.comment}”"
    desk = db.session.get(Desk, answer.desk_id)
    text = f"[Phản ánh của người dân – {desk.name}] {text}"
    with unit_of_work():
        finding = Finding(inspection_id=None, unit_id=answer.unit_id, severity=severity, description=text,
                          description_folded=fold(text), client_uuid=str(uuid.uuid4()), device_time=utcnow(),
                          recorded_by_id=actor.id)
        db.session.add(finding)
        db.session.flush()
        open_action(actor, finding, description=action or "", deadline=deadline)
        answer.finding_id = finding.id
        _decide(actor, answer, FINDING_OPENED, description, finding_id=finding.id, quoted=bool(quote))
    return finding


def list_for_inspection(actor, answer: Feedback, *, note: str = "") -> Desk:
    """Put the desk on the list of the next surprise inspection."""
    desk = db.session.get(Desk, answer.desk_id)
    with unit_of_work():
        _decide(actor, answer, LISTED, note, desk_id=desk.id)
        desk.listed_for_inspection_at = desk.listed_for_inspection_at or utcnow()
        desk.listed_note = "\n".join(filter(None, [desk.listed_note, nfc(note)]))[:2000]
    return desk


def share(actor, answer: Feedback) -> Feedback:
    """Show this answer (its text included) to the desk's unit."""
    permissions.require(actor, "feedback.triage", answer)
    if not answer.is_shared:
        with unit_of_work():
            answer.is_shared = True
            audit.record(actor, "feedback.shared", "citizen_feedback", answer.id, unit_id=answer.unit_id)
    return answer


def listed_desks(actor) -> list[tuple[Desk, str]]:
    """The desks listed for the next surprise inspection, as `actor` sees them."""
    stmt = (select(Desk, OrgUnit.name).join(OrgUnit, OrgUnit.id == Desk.unit_id)
            .where(Desk.listed_for_inspection_at.is_not(None)).order_by(Desk.listed_for_inspection_at))
    return list(db.session.execute(scoping.scope(stmt, actor, Desk)).all())
