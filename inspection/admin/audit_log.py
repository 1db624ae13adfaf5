"""The audit log as a list (nhật ký thao tác): who did what, when, to which record, in which unit.

Admins see every event; leaders and coordinators the events of the units they steer — except
those about an inspection they cannot see (a surprise one not yet started stays hidden)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, select

from models import AuditEvent, Inspection, OrgUnit, User, db, subtree_ids

from ..language.formatting import TZ, parse_date
from ..security import scoping
from ..web import list_exports
from ..web.listing import Page, paginate

SORTS = {"newest": (AuditEvent.seq, True), "oldest": (AuditEvent.seq, False)}

# the first word of an action ("task.accepted") → what it was done to
FAMILIES = {
    "plan": _l("Kế hoạch"), "task": _l("Nhiệm vụ"), "extension": _l("Gia hạn"),
    "inspection": _l("Cuộc kiểm tra"), "inspection_plan": _l("Kế hoạch kiểm tra"),
    "remediation": _l("Khắc phục"), "template": _l("Mẫu phiếu kiểm tra"), "report": _l("Báo cáo"),
    "document": _l("Văn bản"), "unit": _l("Đơn vị"), "membership": _l("Phân quyền"),
    "user": _l("Người dùng"), "auth": _l("Đăng nhập, bảo mật"), "import": _l("Nhập dữ liệu"),
    "job": _l("Tác vụ nền"), "demo": _l("Dữ liệu mẫu"),
}

# the page of a record an event names: target_type → (endpoint, its id argument)
RECORD_PAGES = {
    "plan": ("plans.plan_detail", "plan_id"), "task": ("plans.task_detail", "task_id"),
    "inspection": ("inspections.detail", "inspection_id"),
    "inspection_plan": ("inspections.plan_detail", "inspection_plan_id"),
    "remediation_action": ("remediation.detail", "action_id"),
    "checklist_template": ("inspections.template_detail", "template_id"),
    "org_unit": ("admin.unit_detail", "unit_id"), "user": ("admin.edit_user", "user_id"),
}


@dataclass
class AuditFilters:
    """The filters of the audit log (all optional); dates are Vietnam's calendar days."""

    unit_id: int | None = None
    actor_id: int | None = None
    action: str = ""  # a family ("task") or nothing
    date_from: date | None = None
    date_to: date | None = None


def filters_from_args(args) -> AuditFilters:
    """AuditFilters from a query string; a bad value is ignored (the form reports it)."""
    def number(name):
        value = (args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    action = args.get("action") or ""
    return AuditFilters(unit_id=number("unit_id"), actor_id=number("actor_id"),
                        action=action if action in FAMILIES else "",
                        date_from=parse_date(args.get("date_from", "")), date_to=parse_date(args.get("date_to", "")))


def visible_events(actor):
    """A select of the events `actor` may read in the log."""
    stmt = select(AuditEvent)
    units = scoping.visible_units_select(actor, scoping.STEERING, name="audit_unit")
    if units is None:
        return stmt
    seen = scoping.scope(select(cast(Inspection.id, String)), actor, Inspection)
    return stmt.where(AuditEvent.unit_id.in_(units),
                      (AuditEvent.target_type != "inspection") | AuditEvent.target_id.in_(seen))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


def filtered_events(actor, filters: AuditFilters):
    """The events `actor` reads, narrowed by `filters`."""
    e, stmt = AuditEvent, visible_events(actor)
    if filters.unit_id:
        stmt = stmt.where(e.unit_id.in_(subtree_ids([filters.unit_id], "filter_unit")))
    if filters.actor_id:
        stmt = stmt.where(e.actor_id == filters.actor_id)
    if filters.action:
        stmt = stmt.where(e.action.startswith(filters.action + ".", autoescape=True))
    if filters.date_from:
        stmt = stmt.where(e.at >= _start_of(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(e.at < _start_of(filters.date_to + timedelta(days=1)))
    return stmt


def list_events(actor, filters: AuditFilters, *, sort: str, cursor: str | None, size: int) -> Page:
    """One page of the log, newest first unless asked otherwise."""
    return paginate(filtered_events(actor, filters), sorts=SORTS, sort=sort, cursor=cursor, size=size)


def names(events: list[AuditEvent]) -> dict:
    """The users and units a page of events names, each loaded in one query."""
    user_ids = {e.actor_id for e in events if e.actor_id}
    unit_ids = {e.unit_id for e in events if e.unit_id}
    users = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())
    units = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all())
    return {"users": users, "units": units}


def unit_choices(actor) -> list[tuple[int, str]]:
    stmt = select(OrgUnit.id, OrgUnit.name).order_by(OrgUnit.name)
    units = scoping.visible_units_select(actor, scoping.STEERING)
    return list(db.session.execute(stmt if units is None else stmt.where(OrgUnit.id.in_(units))).all())


def actor_choices(actor) -> list[tuple[int, str]]:
    stmt = scoping.scope(select(User.id, User.full_name), actor, User).order_by(User.full_name)
    return list(db.session.execute(stmt).all())


def family_label(action: str) -> str:
    return str(FAMILIES.get(action.split(".", 1)[0], ""))


def _rows(events: list[AuditEvent]):
    named = names(events)
    for e in events:
        yield [e.seq, e.at, named["users"].get(e.actor_id, "Hệ thống"), family_label(e.action), e.action,
               f"{e.target_type} #{e.target_id}", named["units"].get(e.unit_id, ""), e.ip_address]


AUDIT = list_exports.ListExport(
    kind="audit", title="Nhật ký thao tác", filename="nhat-ky-thao-tac", permission="audit.view",
    columns=[("Số thứ tự", 10), ("Thời điểm", 18), ("Người thực hiện", 28), ("Loại", 20), ("Thao tác", 30),
             ("Đối tượng", 24), ("Đơn vị", 30), ("Địa chỉ IP", 16)],
    select=lambda actor, args: filtered_events(actor, filters_from_args(args)),
    order=lambda: (AuditEvent.seq.desc(),), rows=_rows)
