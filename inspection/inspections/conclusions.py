"""The conclusion (thông báo kết luận kiểm tra): drafted by the team lead, issued by a leader.
Issuing opens one remediation action per finding; with no findings the inspection closes at once."""

from datetime import date, timedelta

from sqlalchemy import select

from models import (
    Conclusion,
    ConclusionItem,
    Correction,
    Document,
    Finding,
    Inspection,
    RemediationAction,
    db,
    subtree_ids,
    utcnow,
)
from models.enums import InspectionStatus, NotificationKind, RemediationStatus, Role

from ..data.transaction import check_version, unit_of_work
from ..errors import NotFound, ValidationError
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..reports.conclusion_snapshots import conclusion_of
from ..reports.services import issue_document
from ..security import audit, permissions
from ..web.links import path_for
from .common import link, target_members, transition

TEXT_FIELDS = ("summary", "strengths", "shortcomings", "causes", "recommendations")
MAX_DEADLINE_DAYS = 365


def findings_of(inspection: Inspection) -> list[Finding]:
    stmt = select(Finding).where(Finding.inspection_id == inspection.id).order_by(Finding.id)
    return list(db.session.execute(stmt).scalars())


def _validate_items(actor, inspection: Inspection, items: list[dict]) -> list[dict]:
    findings = {f.id: f for f in findings_of(inspection)}
    given = {int(i["finding_id"]): i for i in items}
    if set(given) - set(findings):
        raise ValidationError("Tồn tại không thuộc cuộc kiểm tra này.", field="items")
    if missing := set(findings) - set(given):
        raise ValidationError(f"Còn {len(missing)} tồn tại chưa có yêu cầu khắc phục.", field="items")
    clean = []
    for finding_id, item in given.items():
        if not nfc(item.get("action")):
            raise ValidationError("Nhập nội dung yêu cầu khắc phục cho từng tồn tại.", field="items")
        clean.append({"finding_id": finding_id, "action": nfc(item["action"]),
                      "unit_id": _responsible_unit(inspection, item.get("unit_id")), **_deadline(item)})
    return clean


def _deadline(item: dict) -> dict:
    """A date from today on, or "trong thời hạn N ngày kể từ ngày ký" (1–365 days), not both."""
    days, on = item.get("deadline_days"), item.get("deadline")
    if days not in (None, ""):
        if on is not None:
            raise ValidationError("Nhập thời hạn khắc phục là một ngày hoặc một số ngày kể từ ngày ký, "
                                  "không nhập cả hai.", field="items")
        if not isinstance(days, int) or not 1 <= days <= MAX_DEADLINE_DAYS:
            raise ValidationError("Số ngày khắc phục kể từ ngày ký phải từ 1 đến 365.", field="items")
        return {"deadline": None, "deadline_days": days}
    if not isinstance(on, date) or on < local_today():
        raise ValidationError("Thời hạn khắc phục phải từ hôm nay trở đi.", field="items")
    return {"deadline": on, "deadline_days": None}


def fix_deadlines(conclusion: Conclusion, issued_on: date) -> None:
    """At issue: "trong thời hạn N ngày kể từ ngày ký" becomes issued_on + N; a date before the
    issue date is refused (the draft is corrected first), nothing written."""
    late = [(n, item) for n, item in enumerate(sorted(conclusion.items, key=lambda i: i.finding_id), 1)
            if item.deadline is not None and item.deadline < issued_on]
    if late:
        n, item = late[0]
        raise ValidationError(
            f"Thời hạn khắc phục của yêu cầu số {n} ({item.deadline:%d/%m/%Y}) trước ngày ban hành "
            f"({issued_on:%d/%m/%Y}): trưởng đoàn sửa thời hạn trong dự thảo kết luận trước khi ban hành.")
    for item in conclusion.items:
        if item.deadline is None:
            item.deadline = issued_on + timedelta(days=item.deadline_days)


def _responsible_unit(inspection: Inspection, unit_id) -> int:
    """The unit that must fix a finding: the inspected unit by default, or any unit under the
    ordering body (a department may own a commune's fix)."""
    if not unit_id:
        return inspection.unit_id
    allowed = set(db.session.execute(subtree_ids([inspection.ordering_unit_id])).scalars())
    if int(unit_id) not in allowed:
        raise NotFound()
    return int(unit_id)


def draft_conclusion(actor, inspection: Inspection, *, items: list[dict], version=None, **texts) -> Conclusion:
    """The team lead drafts (or redrafts) the conclusion: texts and, per finding, the remediation."""
    permissions.require(actor, "inspection.lead", inspection)
    if _pending_corrections(inspection):
        raise ValidationError("Còn đề nghị sửa biên bản chưa được quyết định.")
    conclusion = db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar()
    if conclusion is not None:
        check_version(conclusion, version, {f: getattr(conclusion, f) for f in TEXT_FIELDS})
    clean = _validate_items(actor, inspection, items)
    first = inspection.status != InspectionStatus.CONCLUSION_DRAFTED
    with unit_of_work():
        transition(actor, inspection, "draft_conclusion")
        conclusion = conclusion or Conclusion(inspection_id=inspection.id, drafted_by_id=actor.id)
        for field in TEXT_FIELDS:
            setattr(conclusion, field, nfc(texts.get(field, "")))
        if conclusion.items:
            conclusion.items = []
            db.session.flush()  # delete the old rows first: a redraft re-inserts the same findings
        conclusion.items = [ConclusionItem(**item) for item in clean]
        db.session.add(conclusion)
        if first:  # the ordering body's leaders issue it
            notify(unit_members([inspection.ordering_unit_id], [Role.LEADER]), NotificationKind.SYSTEM,
                   N_("Dự thảo kết luận chờ ban hành: %(title)s"),
                   path_for("inspections.conclusion", inspection_id=inspection.id),
                   params={"title": inspection.title[:200]})
    return conclusion


def _pending_corrections(inspection: Inspection) -> int:
    stmt = select(db.func.count(Correction.id)).where(Correction.inspection_id == inspection.id,
                                                      Correction.status == "pending")
    return db.session.execute(stmt).scalar_one()


def issue_conclusion_document(actor, inspection: Inspection) -> Document:
    """A leader issues the conclusion as a numbered document (Thông báo kết luận) in one unit of
    work: the inspection is concluded (remediation opens) and the document frozen and numbered."""
    with unit_of_work():
        if inspection.status == InspectionStatus.CONCLUSION_DRAFTED:
            issue_conclusion(actor, inspection)
        elif inspection.status not in (InspectionStatus.CONCLUDED, InspectionStatus.CLOSED):
            raise ValidationError("Chưa có dự thảo kết luận để ban hành.")
        else:  # concluded before its document: its deadlines are checked against today all the same
            fix_deadlines(conclusion_of(inspection), local_today())
        return issue_document(actor, "conclusion", inspection)


def issue_conclusion(actor, inspection: Inspection) -> Conclusion:
    """A leader issues the conclusion: remediation actions open; no findings → the inspection closes."""
    permissions.require(actor, "conclusion.issue", inspection)
    conclusion = db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar()
    if conclusion is None:
        raise ValidationError("Chưa có dự thảo kết luận.")
    with unit_of_work():
        fix_deadlines(conclusion, local_today())
        transition(actor, inspection, "issue_conclusion")
        conclusion.issued_by_id, conclusion.issued_at = actor.id, utcnow()
        actions = [_open_action(actor, inspection, item) for item in conclusion.items]
        if not actions:
            transition(actor, inspection, "close_inspection", reason="Không có tồn tại phải khắc phục")
        notify(target_members(inspection), NotificationKind.ASSIGNED,
               N_("Thông báo kết luận kiểm tra: %(title)s — %(count)d yêu cầu khắc phục") if actions
               else N_("Thông báo kết luận kiểm tra: %(title)s"), link(inspection),
               params={"title": inspection.title[:200], "count": len(actions)})
    return conclusion


def _open_action(actor, inspection: Inspection, item: ConclusionItem) -> RemediationAction:
    finding = db.session.get(Finding, item.finding_id)
    action = RemediationAction(inspection_id=inspection.id, finding_id=item.finding_id, unit_id=item.unit_id,
                               description=item.action, deadline=item.deadline, original_deadline=item.deadline,
                               status=RemediationStatus.OPEN, created_by_id=actor.id,
                               raised_by_id=finding.recorded_by_id)
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "remediation.opened", "remediation_action", action.id, unit_id=item.unit_id,
                 after={"finding_id": item.finding_id, "deadline": item.deadline, "description": item.action})
    return action
