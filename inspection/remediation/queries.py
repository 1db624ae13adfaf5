"""Scoped lists of remediation actions and the per-unit figures (every query goes through scope())."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import lazyload

from models import (
    Attachment,
    ChecklistItem,
    ExtensionRequest,
    Finding,
    Inspection,
    OrgUnit,
    RemediationAction,
    RemediationSubmission,
    User,
    db,
)
from models.enums import RemediationStatus, Timeliness

from ..deadlines import queries as deadlines
from ..deadlines.queries import with_pending
from ..inspections import queries as inspection_queries
from ..language.formatting import local_today
from ..language.text import fold, nfc
from ..plans.timeliness import timeliness_clause
from ..security import permissions, scoping
from ..web.listing import Page, paginate, whole_words
from .services import steps_of

UNFINISHED = "unfinished"  # every state but accepted: the work still with the unit or its reviewer
TODO = "todo"  # the work still with the unit's officers: open, in progress, returned
TODO_STATUSES = (RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS, RemediationStatus.RETURNED)
ESCALATED_TO_LEADER = 2  # escalation.LEADER
SORTS = {"deadline": (RemediationAction.deadline, False), "newest": (RemediationAction.created_at, True)}


@dataclass
class ActionFilters:
    """The filters of the action list (all optional); `q` matches without diacritics."""

    status: str | None = None  # a RemediationStatus value or UNFINISHED
    timeliness: str | None = None
    inspection_id: int | None = None
    unit_id: int | None = None
    area_id: int | None = None  # the PAR area of the checklist item its finding was recorded on
    returned: bool = False
    extension: str = ""  # with a pending extension request at this stage (deadlines.queries.STAGES)
    escalated: bool = False  # unfinished and escalated onto the leader's list
    q: str = ""


def _search(q: str):
    folded, plain = fold(q), nfc(q).lower()
    findings = select(Finding.id).where(Finding.description_folded.contains(folded, autoescape=True))
    inspections = select(Inspection.id).where(Inspection.title_folded.contains(folded, autoescape=True))
    units = select(OrgUnit.id).where(OrgUnit.name_folded.contains(folded, autoescape=True))
    return or_(RemediationAction.finding_id.in_(findings), RemediationAction.inspection_id.in_(inspections),
               RemediationAction.unit_id.in_(units),
               func.lower(RemediationAction.description).contains(plain, autoescape=True))


def _whole_words(q: str):
    """The actions of the unit or the inspection named by the search as whole words ("An Phước",
    not "Tân Phước"): listed first."""
    words = whole_words(q)
    if words is None:
        return None
    return or_(RemediationAction.unit_id.in_(select(OrgUnit.id).where(OrgUnit.name_folded.regexp_match(words))),
               RemediationAction.inspection_id.in_(select(Inspection.id).where(
                   Inspection.title_folded.regexp_match(words))))


def filtered_actions(actor, filters: ActionFilters, today: date | None = None):
    """A select of the actions `actor` sees, narrowed by `filters`."""
    a, today = RemediationAction, today or local_today()
    stmt = scoping.scope(select(a), actor, a)
    if filters.status == UNFINISHED:
        stmt = stmt.where(a.status != RemediationStatus.ACCEPTED)
    elif filters.status == TODO:
        stmt = stmt.where(a.status.in_(TODO_STATUSES))
    elif filters.status in set(RemediationStatus):
        stmt = stmt.where(a.status == filters.status)
    if filters.timeliness in set(Timeliness):
        stmt = stmt.where(timeliness_clause(filters.timeliness, today, a))
    if filters.inspection_id:
        stmt = stmt.where(a.inspection_id == filters.inspection_id)
    if filters.unit_id:
        stmt = stmt.where(a.unit_id == filters.unit_id)
    if filters.returned:
        stmt = stmt.where(a.times_returned > 0)
    if filters.extension:
        stmt = stmt.where(a.id.in_(with_pending(ExtensionRequest.action_id, filters.extension)))
    if filters.escalated:
        stmt = stmt.where(a.escalation_level >= ESCALATED_TO_LEADER, a.status != RemediationStatus.ACCEPTED)
    if filters.area_id:
        stmt = stmt.where(a.area_id == filters.area_id)
    return stmt.where(_search(filters.q)) if fold(filters.q) else stmt


# The list's tabs (the quick filters above it): name → the filters each stands for.
TABS = {"unfinished": {"status": UNFINISHED}, "overdue": {"timeliness": Timeliness.OVERDUE},
        "returned": {"status": RemediationStatus.RETURNED},
        "awaiting_review": {"timeliness": Timeliness.AWAITING_REVIEW}, "all": {}}


def tab_counts(actor, filters: ActionFilters, today: date | None = None) -> dict[str, int]:
    """How many actions match the search and the other filters in each tab, in one statement:
    a search runs over every state, and each tab says how many of its matches it holds."""
    today = today or local_today()
    base = ActionFilters(inspection_id=filters.inspection_id, unit_id=filters.unit_id, area_id=filters.area_id,
                         returned=filters.returned, q=filters.q)
    a = RemediationAction
    matched = filtered_actions(actor, base, today).with_only_columns(a.id, a.status, a.deadline, a.completed_on)
    rows = matched.subquery()

    def tab_clause(tab: dict):
        if tab.get("status") == UNFINISHED:
            return rows.c.status != RemediationStatus.ACCEPTED
        if "status" in tab:
            return rows.c.status == tab["status"]
        return timeliness_clause(tab["timeliness"], today, rows.c) if tab else None

    columns = [func.count().filter(clause) if (clause := tab_clause(tab)) is not None else func.count()
               for tab in TABS.values()]
    return dict(zip(TABS, db.session.execute(select(*columns).select_from(rows)).one(), strict=True))


def list_actions(actor, filters: ActionFilters, *, sort: str, cursor: str | None, size: int) -> Page:
    """One page of the filtered list (by deadline unless asked otherwise)."""
    return paginate(filtered_actions(actor, filters), sorts=SORTS, sort=sort, cursor=cursor, size=size,
                    first=_whole_words(filters.q))


LIST_LAZY = {Inspection: ("members",), Finding: ("photos",)}


def related(actions: list[RemediationAction]) -> dict:
    """The units, inspections and findings a page of actions names, each loaded in one query."""
    def by_id(model, ids):
        ids = {i for i in ids if i}
        # the list names them only: their own eager collections (team, photos) stay unloaded
        stmt = select(model).options(*(lazyload(getattr(model, name)) for name in LIST_LAZY.get(model, ())))
        return {r.id: r for r in db.session.execute(stmt.where(model.id.in_(ids))).scalars()} if ids else {}

    return {"units": by_id(OrgUnit, (x.unit_id for x in actions)),
            "inspections": by_id(Inspection, (x.inspection_id for x in actions)),
            "findings": by_id(Finding, (x.finding_id for x in actions))}


def unit_choices(actor) -> list[tuple[int, str]]:
    """The units that have actions `actor` sees, by name."""
    ids = scoping.scope(select(RemediationAction.unit_id), actor, RemediationAction)
    stmt = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.name_folded)
    return [tuple(row) for row in db.session.execute(stmt)]


def inspection_choices(actor, chosen: int | None = None) -> list[tuple[int, str]]:
    """The inspections that have actions `actor` sees, newest first (the newest
    inspections.queries.CHOICES, and `chosen`)."""
    ids = scoping.scope(select(RemediationAction.inspection_id), actor, RemediationAction)
    return [(r.id, f"{r.number} — {r.title}" if r.number else r.title)
            for r in inspection_queries.newest_inspections(ids, chosen)]


@dataclass
class UnitFigures:
    """One unit's remediation figures (the overview's row)."""

    unit_id: int | None
    name: str
    total: int
    open: int
    overdue: int
    on_time: int
    late: int
    returned: int


def _count(clause):
    return func.count(case((clause, 1)))


def _figures(today: date) -> list:
    a = RemediationAction
    return [func.count(a.id).label("total"), _count(a.status != RemediationStatus.ACCEPTED).label("open"),
            _count(timeliness_clause(Timeliness.OVERDUE, today, a)).label("overdue"),
            _count(timeliness_clause(Timeliness.DONE_ON_TIME, today, a)).label("on_time"),
            _count(timeliness_clause(Timeliness.DONE_LATE, today, a)).label("late"),
            _count(a.times_returned > 0).label("returned")]


def unit_statistics(actor, today: date | None = None) -> list[UnitFigures]:
    """Per responsible unit, in SQL over what `actor` sees: open, overdue, closed on time or late,
    returned at least once. The most overdue first."""
    a, figures = RemediationAction, _figures(today or local_today())
    stmt = (select(a.unit_id, OrgUnit.name, *figures).join(OrgUnit, OrgUnit.id == a.unit_id)
            .group_by(a.unit_id, OrgUnit.name, OrgUnit.name_folded)
            .order_by(figures[2].desc(), figures[1].desc(), OrgUnit.name_folded))
    return [UnitFigures(*row) for row in db.session.execute(scoping.scope(stmt, actor, a))]


def totals(rows: list[UnitFigures]) -> UnitFigures:
    """The sum of the overview's rows."""
    sums = [sum(getattr(r, name) for r in rows) for name in ("total", "open", "overdue", "on_time", "late",
                                                             "returned")]
    return UnitFigures(None, "", *sums)


@dataclass
class Round:
    """One submission with its evidence split into after photos (display copies) and documents."""

    submission: RemediationSubmission
    photos: list[Attachment]
    files: list[Attachment]


PHOTO_KINDS = ("photo_original", "photo_display")


def _round(submission: RemediationSubmission) -> Round:
    attachments = sorted(submission.attachments, key=lambda x: x.id)
    return Round(submission, [x for x in attachments if x.kind == "photo_display"],
                 [x for x in attachments if x.kind not in PHOTO_KINDS])


def rounds_of(action: RemediationAction) -> list[Round]:
    """Every round of submission, oldest first."""
    stmt = (select(RemediationSubmission).where(RemediationSubmission.action_id == action.id)
            .order_by(RemediationSubmission.round))
    return [_round(s) for s in db.session.execute(stmt).scalars()]


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}


def _photos(finding: Finding | None, rounds: list[Round]) -> tuple[list, list, RemediationSubmission | None]:
    """The finding's before photos, and the after photos of the latest round that brought some
    (with that round)."""
    latest = next((r for r in reversed(rounds) if r.photos), None)
    if finding is None or latest is None:
        return ([p for p in finding.photos if p.kind != "after"] if finding else []), [], None
    mine = {x.id for x in latest.submission.attachments}
    return ([p for p in finding.photos if p.kind != "after"],
            [p for p in finding.photos if p.kind == "after" and p.original_id in mine], latest.submission)


def action_page(action: RemediationAction) -> dict:
    """What the action page shows around the action: its finding and criterion, before and after
    photos, steps, rounds, extension requests and the names of the people in them."""
    finding = db.session.get(Finding, action.finding_id) if action.finding_id else None
    rounds, extension = rounds_of(action), deadlines.panel(action)
    before, after, after_round = _photos(finding, rounds)
    people = [action.raised_by_id, *deadlines.people_of(extension["extensions"])]
    for r in rounds:
        people += [r.submission.submitted_by_id, r.submission.confirmed_by_id, r.submission.reviewed_by_id]
    return {
        "finding": finding, "before": before, "after": after, "after_round": after_round, "rounds": rounds,
        "latest": rounds[-1].submission if rounds else None,
        "item": db.session.get(ChecklistItem, finding.item_id) if finding and finding.item_id else None,
        "inspection": db.session.get(Inspection, action.inspection_id) if action.inspection_id else None,
        "unit": db.session.get(OrgUnit, action.unit_id), "steps": steps_of(action), **extension,
        "names": _names(people),
    }


def manageable_units(actor) -> list[tuple[int, str]]:
    """The active units where `actor` may add remediation actions (a coordinator's subtree)."""
    units = scoping.visible_units_select(actor, permissions.ACTIONS["remediation.manage"], name="managed")
    stmt = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.is_active.is_(True))
    if units is not None:
        stmt = stmt.where(OrgUnit.id.in_(units))
    return [tuple(row) for row in db.session.execute(stmt.order_by(OrgUnit.name_folded))]
