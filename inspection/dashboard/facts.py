"""The dashboard's counts ("facts") at the summary's grain: per unit, PAR area, month and state,
computed live from the records or read from the summary table — both as one select with the same
columns, so the page and the summary job share every query.

A count under an inspection not yet disclosed to its target (a surprise inspection before it
starts, any other before it is announced) carries the ordering unit in `hidden_by`; figures.py
adds it in only for the steering roles of that unit, who see such inspections.

Remediation actions are counted twice: per deadline month ("action", for the period's figures
and the trend) and once more without a month ("action_now": the current state of every action,
for the remediation card), so the page never reads every month of every action."""

from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, Integer, and_, case, cast, false, func, literal, null, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from models import ChecklistItem, Finding, Inspection, RemediationAction, Task, db
from models.dashboard import DashboardFact
from models.enums import InspectionStatus, Timeliness

from ..inspections.queries import INSPECTED
from ..language.formatting import TZ
from ..plans.timeliness import timeliness_clause

# The timeliness clauses are mutually exclusive; this is only their display order.
TASK_STATES = (Timeliness.CANCELLED, Timeliness.DONE_ON_TIME, Timeliness.DONE_LATE,
               Timeliness.AWAITING_REVIEW, Timeliness.OVERDUE, Timeliness.ON_TRACK)
ACTION_STATES = TASK_STATES[1:]
TZ_NAME = str(TZ)
COLUMNS = ("subject", "unit_id", "area_id", "month", "state", "returned", "hidden_by", "n")


class Fact(NamedTuple):
    subject: str  # task | action | action_now | inspection | finding
    unit_id: int
    area_id: int | None
    month: date | None  # first day of the deadline's (inspections, findings: start date's) month
    state: str
    returned: bool
    hidden_by: int | None
    n: int


class month_start(FunctionElement):
    """The first day of a date's month, as a date."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def _hidden_by():
    """The ordering unit of an inspection its target does not see yet, else NULL."""
    return case((Inspection.undisclosed(), Inspection.ordering_unit_id), else_=null())


def _state(model, today: date, states):
    return case(*[(timeliness_clause(s, today, model), literal(s.value)) for s in states])


def _columns(unit_id, area_id, month, state, returned, hidden_by) -> list:
    return [unit_id.label("unit_id"), cast(area_id, Integer).label("area_id"), month.label("month"),
            state.label("state"), returned.label("returned"), cast(hidden_by, Integer).label("hidden_by")]


def _grouped(subject: str, inner):
    """Count the rows of `inner` (one per record) per unit, area, month, state and flags."""
    keys = [inner.c[k] for k in COLUMNS[1:-1]]
    return select(literal(subject).label("subject"), *keys, func.count().label("n")).group_by(*keys)


def _narrow(stmt, unit_column, date_column, units, span):
    if units is not None:
        stmt = stmt.where(unit_column.in_(units))
    if span is not None:
        stmt = stmt.where(date_column.between(*span))
    return stmt


def _tasks(today: date, units, span):
    t = Task
    inner = select(*_columns(t.unit_id, t.area_id, month_start(t.deadline), _state(t, today, TASK_STATES),
                             false(), null()))
    return _grouped("task", _narrow(inner, t.unit_id, t.deadline, units, span).subquery())


def _actions(today: date, units, span, *, monthly: bool = True):
    a = RemediationAction
    month = month_start(a.deadline) if monthly else cast(null(), Date)
    returned = false() if monthly else a.times_returned > 0  # only the current state counts returns
    # its area is its own (no finding read); its inspection is looked up among the undisclosed
    # ones only (none when disclosed, or opened from citizens' feedback): a few rows, not the table
    inner = (select(*_columns(a.unit_id, a.area_id, month, _state(a, today, ACTION_STATES), returned,
                              Inspection.ordering_unit_id))
             .outerjoin(Inspection, and_(Inspection.id == a.inspection_id, Inspection.undisclosed())))
    inner = _narrow(inner, a.unit_id, a.deadline, units, span if monthly else None)
    return _grouped("action" if monthly else "action_now", inner.subquery())


def _inspections(units, span):
    i = Inspection
    state = case((i.status.in_(INSPECTED), literal("done")),
                 (i.status == InspectionStatus.CANCELLED, literal("cancelled")), else_=literal("planned"))
    inner = select(*_columns(i.unit_id, null(), month_start(i.start_on), state, false(), _hidden_by()))
    return _grouped("inspection", _narrow(inner, i.unit_id, i.start_on, units, span).subquery())


def _findings(units, span):
    f = Finding
    # an inspection's findings count in the month it started; one opened from citizens' feedback (no
    # inspection) in the month it was recorded, in Asia/Ho_Chi_Minh
    found_on = func.coalesce(Inspection.start_on, cast(func.timezone(TZ_NAME, f.received_at), Date))
    # a finding's unit is its inspection's (inspections/fieldwork.py): only those units' inspections are read
    of_units = Inspection.id == f.inspection_id if units is None else and_(Inspection.id == f.inspection_id,
                                                                          Inspection.unit_id.in_(units))
    inner = (select(*_columns(f.unit_id, ChecklistItem.area_id, month_start(found_on), f.severity,
                              false(), _hidden_by()))
             .outerjoin(Inspection, of_units)
             .outerjoin(ChecklistItem, ChecklistItem.id == f.item_id))
    return _grouped("finding", _narrow(inner, f.unit_id, found_on, units, span).subquery())


def live_source(today: date, units=None, span: tuple[date, date] | None = None):
    """Every count computed from the records, as one select. `units` (a select or list of unit
    ids) narrows to those units; `span` to the dates in it (but never "action_now")."""
    return union_all(_tasks(today, units, span), _actions(today, units, span),
                     _actions(today, units, span, monthly=False), _inspections(units, span), _findings(units, span))


def stored_source(units=None, span: tuple[date, date] | None = None):
    """The same counts read from the summary table."""
    f = DashboardFact
    stmt = select(*[getattr(f, c) for c in COLUMNS])
    if units is not None:
        stmt = stmt.where(f.unit_id.in_(units))
    if span is not None:
        stmt = stmt.where(or_(f.subject == "action_now", f.month.between(span[0].replace(day=1), span[1])))
    return stmt


def facts(source) -> list[Fact]:
    return [Fact(*row) for row in db.session.execute(source)]
