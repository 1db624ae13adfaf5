"""Scheduling inspections: one at a time or an annual plan of many targets; announcing,
rescheduling (old dates kept), changing the team, cancelling; a leader orders surprise ones."""

from datetime import date

from sqlalchemy import select

from models import (
    ChecklistTemplate,
    Inspection,
    InspectionChange,
    InspectionMember,
    InspectionPlan,
    OrgUnit,
    User,
    db,
    utcnow,
)
from models.enums import InspectionKind, InspectionStatus, NotificationKind

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..language.text import fold, nfc
from ..main.notifications import notify
from ..security import audit, permissions
from .common import link, target_members, team_ids, transition
from .team_rule import check_team


def _validate_dates(start_on, end_on) -> date:
    if not isinstance(start_on, date):
        raise ValidationError("Nhập ngày kiểm tra (dd/mm/yyyy).", field="start_on")
    end_on = end_on or start_on
    if end_on < start_on:
        raise ValidationError("Ngày kết thúc không được trước ngày bắt đầu.", field="end_on")
    if (end_on - start_on).days > 60:
        raise ValidationError("Một cuộc kiểm tra không kéo dài quá 60 ngày.", field="end_on")
    return end_on


def _team(actor, lead_id, member_ids, *, kind: str, target: OrgUnit) -> list[InspectionMember]:
    """The team's rows: the people exist, are seen and active, and none of a surprise one's is
    from its target (team_rule)."""
    if not lead_id:
        raise ValidationError("Chọn trưởng đoàn kiểm tra.", field="lead_id")
    ids = [int(lead_id)] + [int(m) for m in member_ids or [] if int(m) != int(lead_id)]
    users = [permissions.get_visible_or_404(User, uid, actor) for uid in dict.fromkeys(ids)]
    if any(not u.is_active for u in users):
        raise ValidationError("Thành viên đoàn kiểm tra đã ngừng hoạt động.", field="member_ids")
    check_team(kind, target, [u.id for u in users])
    return [InspectionMember(user_id=u.id, role="lead" if i == 0 else "member") for i, u in enumerate(users)]


def _check_kind(actor, kind: str, ordering_unit: OrgUnit) -> None:
    if kind not in set(InspectionKind):
        raise ValidationError("Loại kiểm tra không hợp lệ.", field="kind")
    action = "inspection.order_surprise" if kind == InspectionKind.SURPRISE else "inspection.schedule"
    permissions.require(actor, action, ordering_unit)


def schedule_inspection(actor, *, ordering_unit: OrgUnit, target: OrgUnit, kind: str, start_on, end_on=None,
                        template: ChecklistTemplate, lead_id, member_ids=(), number: str = "",
                        decision_ref: str = "", title: str = "", plan: InspectionPlan | None = None) -> Inspection:
    """Schedule one inspection (a surprise one only by a leader)."""
    _check_kind(actor, kind, ordering_unit)
    end_on = _validate_dates(start_on, end_on)
    title = nfc(title) or f"Kiểm tra công tác cải cách hành chính tại {target.name}"
    with unit_of_work():
        inspection = Inspection(
            inspection_plan_id=plan.id if plan else None, number=nfc(number), decision_ref=nfc(decision_ref),
            unit_id=target.id, ordering_unit_id=ordering_unit.id, kind=kind, status=InspectionStatus.PLANNED,
            start_on=start_on, end_on=end_on, template_id=template.id, title=title, title_folded=fold(title),
            created_by_id=actor.id)
        inspection.members = _team(actor, lead_id, member_ids, kind=kind, target=target)
        db.session.add(inspection)
        db.session.flush()
        audit.record(actor, "inspection.scheduled", "inspection", inspection.id, unit_id=target.id,
                     after={"kind": kind, "start_on": start_on, "end_on": end_on, "team": team_ids(inspection)})
        notify(team_ids(inspection), NotificationKind.ASSIGNED,
               N_("Phân công kiểm tra: %(unit)s ngày %(date)s"), link(inspection),
               params={"unit": target.name, "date": f"{start_on:%d/%m/%Y}"})
    return inspection


def schedule_plan(actor, *, ordering_unit: OrgUnit, number: str, issued_on: date, year: int, title: str,
                  targets: list[dict], template: ChecklistTemplate, kind: str = InspectionKind.SCHEDULED):
    """An annual inspection plan: many targets at once, each {unit, start_on, end_on, lead_id, member_ids}."""
    permissions.require(actor, "inspection.schedule", ordering_unit)
    if not targets:
        raise ValidationError("Chọn ít nhất một đơn vị được kiểm tra.", field="targets")
    with unit_of_work():
        plan = InspectionPlan(unit_id=ordering_unit.id, number=nfc(number), issued_on=issued_on, year=year,
                              title=nfc(title))
        db.session.add(plan)
        db.session.flush()
        inspections = [schedule_inspection(actor, ordering_unit=ordering_unit, target=t["unit"], kind=kind,
                                           start_on=t["start_on"], end_on=t.get("end_on"), template=template,
                                           lead_id=t["lead_id"], member_ids=t.get("member_ids", ()), plan=plan)
                       for t in targets]
        audit.record(actor, "inspection_plan.created", "inspection_plan", plan.id, unit_id=ordering_unit.id,
                     after={"inspections": [i.id for i in inspections]})
    return plan, inspections


def announce_inspection(actor, inspection: Inspection) -> Inspection:
    """Announce a scheduled or thematic inspection to its unit (never a surprise one)."""
    permissions.require(actor, "inspection.schedule", inspection)
    if inspection.kind == InspectionKind.SURPRISE:
        raise InvalidTransition("Kiểm tra đột xuất không được thông báo trước cho đơn vị.")
    with unit_of_work():
        transition(actor, inspection, "announce_inspection")
        inspection.announced_at = utcnow()
        notify(target_members(inspection), NotificationKind.ANNOUNCED,
               N_("Thông báo kiểm tra CCHC ngày %(date)s: %(title)s"), link(inspection),
               params={"date": f"{inspection.start_on:%d/%m/%Y}", "title": inspection.title[:200]})
    return inspection


def reschedule_inspection(actor, inspection: Inspection, *, start_on, end_on, reason: str) -> Inspection:
    """Move the dates; the old dates stay on record."""
    permissions.require(actor, "inspection.schedule", inspection)
    if inspection.status not in (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED):
        raise InvalidTransition("Chỉ dời lịch được cuộc kiểm tra chưa bắt đầu.")
    end_on = _validate_dates(start_on, end_on)
    if not nfc(reason):
        raise ValidationError("Nhập lý do dời lịch.", field="reason")
    with unit_of_work():
        before = {"start_on": inspection.start_on.isoformat(), "end_on": inspection.end_on.isoformat()}
        inspection.start_on, inspection.end_on = start_on, end_on
        _change(actor, inspection, "rescheduled", before,
                {"start_on": start_on.isoformat(), "end_on": end_on.isoformat()}, reason)
        if inspection.announced_at:
            notify(target_members(inspection), NotificationKind.ANNOUNCED,
                   N_("Dời lịch kiểm tra sang ngày %(date)s: %(title)s"), link(inspection),
                   params={"date": f"{start_on:%d/%m/%Y}", "title": inspection.title[:200]})
    return inspection


def _change(actor, inspection, kind, before, after, reason) -> None:
    db.session.add(InspectionChange(inspection_id=inspection.id, kind=kind, before=before, after=after,
                                    reason=nfc(reason), changed_by_id=actor.id))
    audit.record(actor, f"inspection.{kind}", "inspection", inspection.id, unit_id=inspection.unit_id,
                 before=before, after=after | {"reason": nfc(reason)})


def change_team(actor, inspection: Inspection, *, lead_id, member_ids=(), reason: str = "") -> Inspection:
    """Replace the team (before the minutes are closed)."""
    permissions.require(actor, "inspection.schedule", inspection)
    if inspection.status not in (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS):
        raise InvalidTransition("Không đổi thành phần đoàn sau khi đã lập biên bản.")
    members = _team(actor, lead_id, member_ids, kind=inspection.kind,
                    target=db.session.get(OrgUnit, inspection.unit_id))
    with unit_of_work():
        before = {"team": team_ids(inspection)}
        inspection.members = []
        db.session.flush()  # delete the old rows first: a member kept on the team is re-inserted
        inspection.members = members
        db.session.flush()
        _change(actor, inspection, "team", before, {"team": team_ids(inspection)}, reason)
        notify(team_ids(inspection), NotificationKind.ASSIGNED, N_("Phân công kiểm tra: %(title)s"),
               link(inspection), params={"title": inspection.title[:200]})
    return inspection


def cancel_inspection(actor, inspection: Inspection, *, reason: str) -> Inspection:
    """Cancel a planned or announced inspection, with a reason."""
    permissions.require(actor, "inspection.schedule", inspection)
    if not nfc(reason):
        raise ValidationError("Nhập lý do hủy cuộc kiểm tra.", field="reason")
    with unit_of_work():
        transition(actor, inspection, "cancel_inspection", reason=nfc(reason))
        recipients = team_ids(inspection) + (target_members(inspection) if inspection.announced_at else [])
        notify(recipients, NotificationKind.SYSTEM, N_("Hủy cuộc kiểm tra: %(title)s"), link(inspection),
               params={"title": inspection.title[:200]})
    return inspection


def current_template(template_id) -> ChecklistTemplate:
    template = db.session.get(ChecklistTemplate, int(template_id or 0))
    if template is None:
        raise ValidationError("Chọn bộ tiêu chí kiểm tra.", field="template_id")
    return template


def inspections_of(plan: InspectionPlan) -> list[Inspection]:
    stmt = select(Inspection).where(Inspection.inspection_plan_id == plan.id).order_by(Inspection.start_on)
    return list(db.session.execute(stmt).scalars())
