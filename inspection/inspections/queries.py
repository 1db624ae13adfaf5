"""Scoped lists of inspections, the month calendar, the inspection plans and their progress
("Đã kiểm tra 11/17 đơn vị; cấp xã 6/9"). Every list and count goes through
scoping.scope(), so an unstarted surprise inspection stays hidden from its target unit."""

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from models import (
    ChecklistTemplate,
    CheckResult,
    Conclusion,
    Correction,
    Finding,
    Inspection,
    InspectionChange,
    InspectionMember,
    InspectionPlan,
    Membership,
    OrgUnit,
    RemediationAction,
    User,
    db,
    subtree_ids,
)
from models.enums import InspectionKind, InspectionStatus, UnitKind

from ..language.formatting import local_today
from ..language.text import fold, nfc
from ..security import permissions, scoping
from ..web.listing import paginate, whole_words

SORTS = {"newest": (Inspection.start_on, True), "upcoming": (Inspection.start_on, False)}
# Started on site: the unit counts as inspected from then on.
INSPECTED = frozenset({InspectionStatus.IN_PROGRESS, InspectionStatus.MINUTES_CLOSED,
                       InspectionStatus.CONCLUSION_DRAFTED, InspectionStatus.CONCLUDED, InspectionStatus.CLOSED})
COMMUNE_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE})
CALENDAR_LIMIT = 400


@dataclass
class InspectionFilters:
    """The filters of the list and the calendar (all optional); `q` matches without diacritics."""

    status: str | None = None
    kind: str | None = None
    unit_id: int | None = None
    inspector_id: int | None = None
    month: date | None = None  # the first day of the month
    start_from: date | None = None  # the start date, from and to (the dashboard's period)
    start_to: date | None = None
    progress: str | None = None  # PROGRESS: not cancelled, or started on site
    unit_level: str | None = None  # "commune": inspections of a commune-level unit only
    period: str | None = None  # PERIODS: not finished and under way some day of today or this week
    q: str = ""


PROGRESS = ("planned", "inspected")
PERIODS = ("today", "week")
# not yet finished on site: what an inspector still has to go to (the tablet's start screen's)
UNDER_WAY = (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS,
             InspectionStatus.MINUTES_CLOSED)


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The first and last day of "today" or "this week" (Monday to Sunday)."""
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    return today, today


def visible_inspections(actor):
    """A select of the inspections `actor` sees."""
    return scoping.scope(select(Inspection), actor, Inspection)


# A list filter's choice of inspections: the newest this many, and the one a link chose. A province's
# leader sees ~9,000 inspections with remediation actions over five years (bench/province.py): all of
# them made the action list 950 KB of <option>s.
CHOICES = 500


def newest_inspections(ids, chosen: int | None = None) -> list:
    """(id, number, title) of the inspections among `ids` (a select of ids), newest first: the
    newest CHOICES, and `chosen` when it is among `ids` but older (a notification links to the
    action list of an inspection of years ago)."""
    stmt = select(Inspection.id, Inspection.number, Inspection.title).where(Inspection.id.in_(ids))
    rows = db.session.execute(stmt.order_by(Inspection.start_on.desc(), Inspection.id.desc()).limit(CHOICES)).all()
    if chosen is not None and all(row.id != chosen for row in rows):
        rows += db.session.execute(stmt.where(Inspection.id == chosen)).all()
    return rows


def _month_bounds(first: date) -> tuple[date, date]:
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def filtered_inspections(actor, filters: InspectionFilters):
    """The inspections `actor` sees, narrowed by `filters`."""
    stmt = visible_inspections(actor)
    if filters.status in set(InspectionStatus):
        stmt = stmt.where(Inspection.status == filters.status)
    if filters.kind in set(InspectionKind):
        stmt = stmt.where(Inspection.kind == filters.kind)
    if filters.unit_id:
        stmt = stmt.where(Inspection.unit_id.in_(subtree_ids([filters.unit_id], "filter_unit")))
    if filters.inspector_id:
        stmt = stmt.where(Inspection.members.any(InspectionMember.user_id == filters.inspector_id))
    if filters.month:
        first, last = _month_bounds(filters.month)
        stmt = stmt.where(Inspection.start_on <= last, Inspection.end_on >= first)
    if fold(filters.q):
        stmt = stmt.where(_search(filters.q))
    return _narrow_dashboard(stmt, filters)


def _code(column):
    """A number or reference as typed ("06/KTĐX", "Quyết định số 245/QĐ-UBND"), lower case with
    đ as d, so "06/ktdx" and "245/qđ" find it alike."""
    return func.translate(func.lower(column), "đ", "d")


def _search(q: str):
    """The title or the inspected unit's name (without diacritics), the inspection's number or its
    decision reference."""
    folded, plain = fold(q), nfc(q).lower().replace("đ", "d")
    return or_(Inspection.title_folded.contains(folded, autoescape=True),
               Inspection.unit_id.in_(select(OrgUnit.id).where(OrgUnit.name_folded.contains(folded, autoescape=True))),
               _code(Inspection.number).contains(plain, autoescape=True),
               _code(Inspection.decision_ref).contains(plain, autoescape=True),
               _code(Inspection.decision_ref).contains(folded, autoescape=True))


def _whole_words(q: str):
    """The search's rows that hold it as whole words ("an phuoc" in "xa an phuoc", not in "xa tan
    phuoc"), in the title or the unit's name: listed first (listing.paginate's `first`); None
    without a search."""
    words = whole_words(q)
    if words is None:
        return None
    return or_(Inspection.title_folded.regexp_match(words),
               Inspection.unit_id.in_(select(OrgUnit.id).where(OrgUnit.name_folded.regexp_match(words))))


def _narrow_dashboard(stmt, filters: InspectionFilters):
    """The filters a dashboard figure links with: start dates, progress, commune-level units."""
    if filters.start_from:
        stmt = stmt.where(Inspection.start_on >= filters.start_from)
    if filters.start_to:
        stmt = stmt.where(Inspection.start_on <= filters.start_to)
    if filters.progress == "planned":
        stmt = stmt.where(Inspection.status != InspectionStatus.CANCELLED)
    elif filters.progress == "inspected":
        stmt = stmt.where(Inspection.status.in_(INSPECTED))
    if filters.period in PERIODS:
        first, last = period_bounds(filters.period, local_today())
        stmt = stmt.where(Inspection.status.in_(UNDER_WAY), Inspection.start_on <= last, Inspection.end_on >= first)
    if filters.unit_level == "commune":
        stmt = stmt.where(Inspection.unit_id.in_(select(OrgUnit.id).where(OrgUnit.kind.in_(COMMUNE_KINDS))))
    return stmt


def list_inspections(actor, filters: InspectionFilters, *, sort: str, cursor: str | None, size: int):
    """One page of the filtered list."""
    return paginate(filtered_inspections(actor, filters), sorts=SORTS, sort=sort, cursor=cursor, size=size,
                    first=_whole_words(filters.q))


def count_by_status(actor, filters: InspectionFilters) -> dict[str, int]:
    """How many inspections of each status match the other filters (for the status chips)."""
    ids = filtered_inspections(actor, replace(filters, status=None)).with_only_columns(Inspection.id)
    stmt = select(Inspection.status, func.count()).where(Inspection.id.in_(ids)).group_by(Inspection.status)
    return dict(db.session.execute(stmt).all())


@dataclass
class Day:
    on: date
    in_month: bool
    inspections: list = field(default_factory=list)


def month_grid(actor, filters: InspectionFilters, month: date) -> list[list[Day]]:
    """The weeks (Monday first) covering `month`, each day with the inspections under way that day."""
    first, last = _month_bounds(month)
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    stmt = filtered_inspections(actor, replace(filters, month=None))
    stmt = stmt.where(Inspection.start_on <= end, Inspection.end_on >= start)
    rows = db.session.execute(stmt.order_by(Inspection.start_on, Inspection.id).limit(CALENDAR_LIMIT)).scalars()
    days = {start + timedelta(days=n): Day(start + timedelta(days=n), (start + timedelta(days=n)).month == month.month)
            for n in range((end - start).days + 1)}
    for inspection in rows:
        on = max(inspection.start_on, start)
        while on <= min(inspection.end_on, end):
            days[on].inspections.append(inspection)
            on += timedelta(days=1)
    ordered = list(days.values())
    return [ordered[i:i + 7] for i in range(0, len(ordered), 7)]


# ---- inspection plans

@dataclass
class PlanProgress:
    """Units of the plan, and those already inspected (started on site), overall and communes."""

    units: int = 0
    units_done: int = 0
    communes: int = 0
    communes_done: int = 0


def list_plans(actor, *, year: int | None = None) -> list[InspectionPlan]:
    """The inspection plans `actor` sees, newest first."""
    stmt = scoping.scope(select(InspectionPlan), actor, InspectionPlan)
    if year:
        stmt = stmt.where(InspectionPlan.year == year)
    order = (InspectionPlan.year.desc(), InspectionPlan.issued_on.desc(), InspectionPlan.id.desc())
    return list(db.session.execute(stmt.order_by(*order).limit(200)).scalars())


def progress_of(actor, plan_ids) -> dict[int, PlanProgress]:
    """Each plan's progress, counted over the inspections `actor` sees (cancelled ones left out)."""
    stmt = (select(Inspection.inspection_plan_id, Inspection.unit_id, Inspection.status, OrgUnit.kind)
            .join(OrgUnit, OrgUnit.id == Inspection.unit_id)
            .where(Inspection.inspection_plan_id.in_(list(plan_ids)), Inspection.status != InspectionStatus.CANCELLED))
    done: dict[int, dict[int, tuple[bool, bool]]] = {}
    for plan_id, unit_id, status, kind in db.session.execute(scoping.scope(stmt, actor, Inspection)):
        seen = done.setdefault(plan_id, {}).get(unit_id, (False, kind in COMMUNE_KINDS))
        done[plan_id][unit_id] = (seen[0] or status in INSPECTED, seen[1])
    return {plan_id: _tally(units) for plan_id, units in done.items()}


def _tally(units: dict[int, tuple[bool, bool]]) -> PlanProgress:
    progress = PlanProgress(units=len(units), units_done=sum(d for d, _ in units.values()))
    progress.communes = sum(1 for _, commune in units.values() if commune)
    progress.communes_done = sum(1 for d, commune in units.values() if d and commune)
    return progress


def plan_inspections(actor, plan: InspectionPlan) -> list[Inspection]:
    """The plan's inspections `actor` sees, by date."""
    stmt = visible_inspections(actor).where(Inspection.inspection_plan_id == plan.id)
    return list(db.session.execute(stmt.order_by(Inspection.start_on, Inspection.id)).scalars())


def plan_years(actor) -> list[int]:
    stmt = scoping.scope(select(InspectionPlan.year).distinct(), actor, InspectionPlan)
    return sorted(db.session.execute(stmt).scalars(), reverse=True)


# ---- options for forms and filters (only what the user sees)

def ordering_units(actor) -> list[OrgUnit]:
    """The units in whose name `actor` schedules inspections (leader or coordinator memberships)."""
    roles = permissions.ACTIONS["inspection.schedule"]
    ids = [m.unit_id for m in actor.memberships if m.role in roles]
    stmt = select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.is_active.is_(True)).order_by(OrgUnit.name_folded)
    return list(db.session.execute(stmt).scalars())


def target_units(actor, ordering_unit_ids) -> list[OrgUnit]:
    """Units that may be inspected: active, seen by `actor`, below one of the ordering units."""
    below = subtree_ids(list(ordering_unit_ids), "ordering")
    stmt = scoping.scope(select(OrgUnit), actor, OrgUnit).where(
        OrgUnit.is_active.is_(True), OrgUnit.id.in_(below), OrgUnit.id.not_in(list(ordering_unit_ids)))
    return list(db.session.execute(stmt.order_by(OrgUnit.name_folded)).scalars())


def visible_units(actor) -> list[OrgUnit]:
    stmt = scoping.scope(select(OrgUnit), actor, OrgUnit).where(OrgUnit.is_active.is_(True))
    return list(db.session.execute(stmt.order_by(OrgUnit.name_folded)).scalars())


def team_candidates(actor) -> list[tuple[int, str]]:
    """Active users `actor` sees, inspectors first: (id, "Name — title, unit")."""
    stmt = (scoping.scope(select(User.id, User.full_name, User.title, Membership.role, OrgUnit.name), actor, User)
            .join(Membership, Membership.user_id == User.id).join(OrgUnit, OrgUnit.id == Membership.unit_id)
            .where(User.is_active.is_(True)).order_by(User.full_name_folded, User.id))
    people: dict[int, tuple[int, str]] = {}
    for uid, name, title, role, unit in db.session.execute(stmt):
        rank = 0 if role == "inspector" else 1
        if uid not in people or rank < people[uid][0]:
            people[uid] = (rank, f"{name} — {', '.join(p for p in (title, unit) if p)}")
    return [(uid, label) for uid, (rank, label) in sorted(people.items(), key=lambda kv: kv[1][0])]


def targets_seen(actor) -> list[tuple[int, str]]:
    """The target units of the inspections `actor` sees (for the unit filter)."""
    ids = visible_inspections(actor).with_only_columns(Inspection.unit_id)
    stmt = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.name_folded)
    return [(r.id, r.name) for r in db.session.execute(stmt)]


def inspectors_seen(actor) -> list[tuple[int, str]]:
    """The team members of the inspections `actor` sees (for the inspector filter)."""
    ids = visible_inspections(actor).with_only_columns(Inspection.id)
    stmt = (select(User.id, User.full_name).join(InspectionMember, InspectionMember.user_id == User.id)
            .where(InspectionMember.inspection_id.in_(ids)).distinct().order_by(User.full_name))
    return [(r.id, r.full_name) for r in db.session.execute(stmt)]


# ---- one inspection's page

def _scoped(actor, model, inspection: Inspection, *order) -> list:
    stmt = scoping.scope(select(model).where(model.inspection_id == inspection.id), actor, model)
    if model is Finding:  # the photos in the same statement (the page shows them with each finding)
        stmt = stmt.options(joinedload(Finding.photos))
    return list(db.session.execute(stmt.order_by(*order, model.id)).scalars().unique())


def checklist_rows(actor, inspection: Inspection, findings: list[Finding] | None = None,
                   template: ChecklistTemplate | None = None) -> list[tuple]:
    """(item, result or None, finding or None) for every criterion of the inspection's template
    (`findings`, `template`: when the caller has them already)."""
    template = template or db.session.get(ChecklistTemplate, inspection.template_id)
    results = {r.item_id: r for r in _scoped(actor, CheckResult, inspection)}
    findings = findings if findings is not None else _scoped(actor, Finding, inspection)
    findings = {f.check_result_id: f for f in findings if f.check_result_id}
    return [(item, results.get(item.id), findings.get(getattr(results.get(item.id), "id", None)))
            for item in template.items]


def inspection_page(actor, inspection: Inspection) -> dict:
    """Everything the inspection's page shows, each record list through scope()."""
    findings = _scoped(actor, Finding, inspection)
    corrections = _scoped(actor, Correction, inspection, Correction.proposed_at)
    conclusion = db.session.execute(scoping.scope(
        select(Conclusion).where(Conclusion.inspection_id == inspection.id), actor, Conclusion)).scalar()
    changes = changes_of(inspection)
    people = {c.proposed_by_id for c in corrections} | {c.decided_by_id for c in corrections}
    people |= {f.recorded_by_id for f in findings} | {getattr(conclusion, "drafted_by_id", None),
                                                     getattr(conclusion, "issued_by_id", None)}
    for change in changes:
        people |= {change.changed_by_id, *change.before.get("team", []), *change.after.get("team", [])}
    template = db.session.get(ChecklistTemplate, inspection.template_id)
    rows = checklist_rows(actor, inspection, findings, template)
    return {
        "template": template,
        "rows": rows,
        "items": {item.id: item for item, _, _ in rows},
        "finding_map": {f.id: f for f in findings},
        "findings": findings,
        "free_findings": [f for f in findings if f.check_result_id is None],
        "corrections": corrections,
        "conclusion": conclusion,
        "actions": _scoped(actor, RemediationAction, inspection, RemediationAction.deadline),
        "changes": changes,
        "plan": inspection.inspection_plan_id and db.session.get(InspectionPlan, inspection.inspection_plan_id),
        "ordering_unit": db.session.get(OrgUnit, inspection.ordering_unit_id),
        "names": names_of(people),
        "unit_names": unit_names({getattr(i, "unit_id", None) for i in getattr(conclusion, "items", [])}),
    }


def changes_of(inspection: Inspection, kind: str | None = None) -> list[InspectionChange]:
    """The inspection's reschedulings and team changes (of one `kind` when given), oldest first."""
    stmt = select(InspectionChange).where(InspectionChange.inspection_id == inspection.id)
    if kind:
        stmt = stmt.where(InspectionChange.kind == kind)
    return list(db.session.execute(stmt.order_by(InspectionChange.changed_at, InspectionChange.id)).scalars())


def findings_of(actor, inspection: Inspection) -> list[Finding]:
    return _scoped(actor, Finding, inspection)


def names_of(user_ids) -> dict[int, str]:
    ids = [i for i in user_ids if i]
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}


def unit_names(unit_ids) -> dict[int, str]:
    ids = [i for i in unit_ids if i]
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all()) if ids else {}


def responsible_units(actor, inspection: Inspection) -> list[OrgUnit]:
    """Who may be made to fix a finding: the inspected unit first, then the units `actor` sees
    below the ordering body."""
    below = subtree_ids([inspection.ordering_unit_id], "ordering")
    stmt = scoping.scope(select(OrgUnit), actor, OrgUnit).where(
        OrgUnit.id.in_(below), OrgUnit.is_active.is_(True), OrgUnit.id != inspection.unit_id)
    return [inspection.unit, *db.session.execute(stmt.order_by(OrgUnit.name_folded)).scalars()]
