"""Scoped lists and computed progress of plans and tasks (every list goes through scope())."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select

from models import ExtensionRequest, OrgUnit, ParArea, Plan, Task, db, subtree_ids
from models.enums import TaskStatus, Timeliness
from models.plans import task_support_unit

from ..deadlines.queries import with_pending
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import fold
from ..security import scoping
from ..web.listing import paginate, whole_words
from .timeliness import rate, timeliness_clause

TASK_SORTS = {
    "deadline": (Task.deadline, False),
    "newest": (Task.created_at, True),
    "number": (Task.position, False),
}
PLAN_SORTS = {"newest": (Plan.issued_on, True), "title": (Plan.title_folded, False)}
TODO = "todo"  # a status filter: the work still with the unit's officers (open, in progress, returned)
TODO_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)


@dataclass
class TaskFilters:
    """The filters of a task list (all optional); `q` matches without diacritics."""

    plan_id: int | None = None
    area_id: int | None = None
    unit_id: int | None = None
    status: str | None = None
    timeliness: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    adhoc: bool = False
    extension: str = ""  # with a pending extension request at this stage (deadlines.queries.STAGES)
    extra: dict = field(default_factory=dict)


def filtered_tasks(actor, filters: TaskFilters, today: date | None = None, *, paged: bool = False):
    """A select of the tasks `actor` sees, narrowed by `filters` (`paged`: for one page of them)."""
    stmt = scoping.scope(select(Task), actor, Task, paged=paged)
    return stmt.where(*_conditions(filters, today or local_today()))


def _conditions(filters: TaskFilters, today: date) -> list:
    """The where-clauses of `filters` on Task."""
    found = []
    if filters.plan_id:
        found.append(Task.plan_id == filters.plan_id)
    if filters.adhoc:
        found.append(Task.plan_id.is_(None))
    if filters.area_id:
        found.append(Task.area_id == filters.area_id)
    if filters.unit_id:
        supported = select(task_support_unit.c.task_id).where(task_support_unit.c.unit_id == filters.unit_id)
        found.append((Task.unit_id == filters.unit_id) | Task.id.in_(supported))
    if filters.status in set(TaskStatus):
        found.append(Task.status == filters.status)
    elif filters.status == TODO:
        found.append(Task.status.in_(TODO_STATUSES))
    if filters.extension:
        found.append(Task.id.in_(with_pending(ExtensionRequest.task_id, filters.extension)))
    if filters.timeliness in set(Timeliness):
        found.append(timeliness_clause(filters.timeliness, today))
    if filters.due_from:
        found.append(Task.deadline >= filters.due_from)
    if filters.due_to:
        found.append(Task.deadline <= filters.due_to)
    if fold(filters.q):
        found.append(Task.title_folded.contains(fold(filters.q), autoescape=True))
    return found


def _support_names():
    """A row's supporting units, "short name; short name", by name (one sub-select per row shown)."""
    link, name = task_support_unit, func.coalesce(func.nullif(OrgUnit.short_name, ""), OrgUnit.name)
    names = (select(name.label("name")).join(link, link.c.unit_id == OrgUnit.id).where(link.c.task_id == Task.id)
             .order_by(OrgUnit.name_folded).correlate(Task).subquery("support"))
    return select(func.aggregate_strings(names.c.name, "; ")).scalar_subquery()


# what a row of the task list shows: no descriptions, no whole units
_ROW = (Task.id, Task.title, Task.plan_id, Task.number, Task.position, Task.deadline, Task.original_deadline,
        Task.status, Task.completed_on, Task.progress, Task.created_at, Plan.number.label("plan_number"),
        ParArea.name.label("area_name"), func.coalesce(func.nullif(OrgUnit.short_name, ""), OrgUnit.name)
        .label("unit_name"), _support_names().label("support_names"))


def list_tasks(actor, filters: TaskFilters, *, sort: str, cursor: str | None, size: int):
    """One page of the filtered task list, as rows of _ROW. For a narrow scope (a commune's
    officers) the page's ids are cut first from the units' own tasks, which are the scope, and only
    those are read (bench/web.py); unfiltered, that page's statement is built once for every commune."""
    ids = scoping.narrow_unit_ids(actor)
    words = whole_words(filters.q)
    if ids is None or words is not None:  # a search lists its whole-word matches first ("An Phước", then "Tân Phước")
        return paginate(_rows(filtered_tasks(actor, filters, paged=True)), sorts=TASK_SORTS, sort=sort, cursor=cursor,
                        size=size, first=None if words is None else Task.title_folded.regexp_match(words))
    conditions = _conditions(filters, local_today())
    return paginate(_NARROW_ROWS, sorts=TASK_SORTS, sort=sort, cursor=cursor, size=size,
                    candidates=lambda column: _led_or_supported(scoping.NARROW_IDS, conditions, column),
                    reuse=None if conditions else "tasks.narrow", params={scoping.NARROW_IDS.key: ids})


def _rows(stmt):
    """`stmt` (a select of Task) reading the columns of _ROW."""
    return (stmt.with_only_columns(*_ROW).join(OrgUnit, OrgUnit.id == Task.unit_id)
            .outerjoin(Plan, Plan.id == Task.plan_id).outerjoin(ParArea, ParArea.id == Task.area_id))


_NARROW_ROWS = _rows(select(Task))  # a narrow scope's rows: the scope is in the candidates


def _led_or_supported(ids, conditions: list, column) -> list:
    """(id, `column`) of the tasks led, and of those supported, by `ids` (a narrow actor's units,
    scoping.NARROW_IDS bound when it runs) that meet `conditions`; by deadline and unfiltered,
    each from an index alone ((unit_id, deadline, id) of task, and of task_support_unit with the
    deadline its triggers copy)."""
    link = task_support_unit
    led = select(Task.id, column).where(Task.unit_id.in_(ids), *conditions)
    if not conditions and column is Task.deadline:  # from the (unit_id, deadline, task_id) index alone
        return [led, select(link.c.task_id, link.c.deadline).where(link.c.unit_id.in_(ids))]
    supported = (select(Task.id, column).join(link, link.c.task_id == Task.id)
                 .where(link.c.unit_id.in_(ids), *conditions))
    return [led, supported]


def list_plans(actor, *, year: int | None, q: str, sort: str, cursor: str | None, size: int):
    """One page of the plans `actor` sees."""
    stmt = scoping.scope(select(Plan), actor, Plan)
    if year:
        stmt = stmt.where(Plan.year == year)
    return paginate(stmt, sorts=PLAN_SORTS, sort=sort, cursor=cursor, size=size,
                    search_column=Plan.title_folded, q=q)


def plan_tasks(plan: Plan, actor) -> list[Task]:
    stmt = scoping.scope(select(Task).where(Task.plan_id == plan.id), actor, Task)
    return list(db.session.execute(stmt.order_by(Task.position, Task.id)).scalars())


def plan_area_counts(plan: Plan, actor, today: date) -> list[tuple[int | None, "Progress"]]:
    """(area id, counts) of the plan's tasks `actor` sees, per PAR area in the official order (tasks
    without an area last) — one grouped query; each group is exactly what the task list shows
    filtered by the plan and the area."""
    stmt = scoping.scope(
        select(*_count_columns(today), Task.area_id, ParArea.name).where(Task.plan_id == plan.id)
        .outerjoin(ParArea, ParArea.id == Task.area_id), actor, Task)
    rows = db.session.execute(stmt.group_by(Task.area_id, ParArea.name, ParArea.position)
                              .order_by(ParArea.position.nulls_last(), Task.area_id)).all()
    return [(r[-2], _progress(r[-1] or NO_AREA, r[:-2])) for r in rows]


@dataclass
class Progress:
    """Counts of one group of tasks, in the Government Office's vocabulary."""

    label: str
    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    awaiting_review: int = 0
    overdue: int = 0
    on_track: int = 0
    cancelled: int = 0
    due: int = 0  # not cancelled, deadline on or before the day of the figures
    due_done: int = 0  # of those, accepted

    @property
    def due_rate_text(self) -> str:
        """The Government Office's rate: done over the tasks already due ("20/21 (95,2%)")."""
        return rate(self.due_done, self.due)

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def counted(self) -> int:
        """Tasks that count towards the rate: every task not cancelled."""
        return self.total - self.cancelled

    @property
    def rate_text(self) -> str:
        return rate(self.done, self.counted)

    @property
    def percent(self) -> float:
        return self.done * 100 / self.counted if self.counted else 0.0


_COUNTED = {
    Timeliness.DONE_ON_TIME: "done_on_time", Timeliness.DONE_LATE: "done_late",
    Timeliness.AWAITING_REVIEW: "awaiting_review", Timeliness.OVERDUE: "overdue",
    Timeliness.ON_TRACK: "on_track", Timeliness.CANCELLED: "cancelled",
}


def _count_columns(today: date) -> list:
    due = and_(Task.status != TaskStatus.CANCELLED, Task.deadline <= today)
    return [func.count(Task.id)] + [
        func.sum(case((timeliness_clause(t, today), 1), else_=0)) for t in _COUNTED
    ] + [func.sum(case((due, 1), else_=0)), func.sum(case((and_(due, Task.status == TaskStatus.ACCEPTED), 1), else_=0))]


def _progress(label: str, row) -> Progress:
    values = [int(v or 0) for v in row]
    progress = Progress(label=label, total=values[0])
    for attr, value in zip((*_COUNTED.values(), "due", "due_done"), values[1:], strict=True):
        setattr(progress, attr, value)
    return progress


# Group labels kept in Vietnamese here (the PDF report's words); pages translate them when shown.
OVERALL, NO_AREA = N_("Toàn kế hoạch"), N_("Chưa phân lĩnh vực")
FIXED_LABELS = frozenset({OVERALL, NO_AREA})


def unit_task_ids(plan: Plan, unit_id: int):
    """A select of the ids of the plan's tasks a unit (its subtree, merged units included) leads or
    supports: what its own progress report covers."""
    units = subtree_ids([unit_id], "report_unit")
    supported = select(task_support_unit.c.task_id).where(task_support_unit.c.unit_id.in_(units))
    return select(Task.id).where(Task.plan_id == plan.id, Task.unit_id.in_(units) | Task.id.in_(supported))


def plan_progress(plan: Plan, today: date | None = None, only=None) -> dict:
    """The plan's rate overall, per PAR area and per lead unit — computed in one query each
    (`only`: a select of task ids, for one unit's report)."""
    today = today or local_today()
    base = select(*_count_columns(today)).where(Task.plan_id == plan.id)
    if only is not None:
        base = base.where(Task.id.in_(only))
    overall = _progress(OVERALL, db.session.execute(base).one())
    by_area = db.session.execute(
        base.add_columns(ParArea.name, ParArea.position).outerjoin(ParArea, ParArea.id == Task.area_id)
        .group_by(ParArea.name, ParArea.position).order_by(ParArea.position)).all()
    by_unit = db.session.execute(
        base.add_columns(OrgUnit.name).join(OrgUnit, OrgUnit.id == Task.unit_id)
        .group_by(OrgUnit.name).order_by(OrgUnit.name)).all()
    return {
        "overall": overall,
        "areas": [_progress(r[-2] or NO_AREA, r[:-2]) for r in by_area],
        "units": [_progress(r[-1], r[:-1]) for r in by_unit],
    }


def overdue_tasks(plan: Plan, today: date | None = None) -> list[Task]:
    today = today or local_today()
    stmt = select(Task).where(Task.plan_id == plan.id, timeliness_clause(Timeliness.OVERDUE, today))
    return list(db.session.execute(stmt.order_by(Task.deadline)).scalars())
