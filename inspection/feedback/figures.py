"""The figures of citizens' answers: per desk (or unit) and SIPAS element over a period, the
satisfaction rate (share of scores 4–5) with its numerator and denominator, the mean and the
count; the monthly trend; the weakest desks. Only counts leave here, never an answer.

PAR Index hook: a sub-criterion whose source is "satisfaction" takes its computed figure from
`unit_figures(unit_ids, start, end)` (inspection/par/computed.py)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Integer, case, cast, func, select

from models import Desk, Feedback, OrgUnit, db
from models.feedback import ELEMENTS

from ..language.formatting import local_today
from ..security import scoping


@dataclass
class Figure:
    """Satisfied (scores 4–5) out of `count` ratings, and their sum for the mean."""

    satisfied: int = 0
    count: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return 100 * self.satisfied / self.count if self.count else None

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class DeskFigures:
    desk_id: int
    name: str
    unit_name: str
    unit_id: int = 0
    answers: int = 0
    elements: dict[str, Figure] = field(default_factory=dict)

    @property
    def overall(self) -> Figure:
        """Every element's ratings together: satisfied ratings out of 5 × answers."""
        parts = self.elements.values()
        return Figure(sum(f.satisfied for f in parts), sum(f.count for f in parts), sum(f.total for f in parts))

    def small_sample(self) -> bool:
        return self.answers < current_app.config["FEEDBACK_MIN_SAMPLE"]


def _columns():
    cols = [func.count().label("answers")]
    for e in ELEMENTS:
        column = getattr(Feedback, e)
        cols += [func.sum(case((column >= 4, 1), else_=0)).label(f"{e}_ok"),
                 func.sum(cast(column, Integer)).label(f"{e}_sum")]
    return cols


def _figures(row, desk_id, name, unit_name) -> DeskFigures:
    found = DeskFigures(desk_id, name, unit_name, answers=row.answers if row else 0)
    for e in ELEMENTS:
        found.elements[e] = Figure(int(getattr(row, f"{e}_ok") or 0) if row else 0, found.answers,
                                   int(getattr(row, f"{e}_sum") or 0) if row else 0)
    return found


def visible_desks(actor):
    """The desks of the units `actor` sees (a select of Desk, OrgUnit.name)."""
    stmt = select(Desk, OrgUnit.name).join(OrgUnit, OrgUnit.id == Desk.unit_id)
    return scoping.scope(stmt, actor, Desk).order_by(OrgUnit.name, Desk.name)


def desk_figures(actor, start: date, end: date, unit_id: int | None = None) -> list[DeskFigures]:
    """Per desk `actor` sees (of one unit when given), its figures over [start, end]."""
    stmt = visible_desks(actor)
    if unit_id:
        stmt = stmt.where(Desk.unit_id == unit_id)
    desks = db.session.execute(stmt).all()
    ids = [d.id for d, _ in desks]
    rows = {}
    if ids:
        query = (select(Feedback.desk_id, *_columns()).where(Feedback.desk_id.in_(ids),
                 Feedback.received_on.between(start, end)).group_by(Feedback.desk_id))
        rows = {r.desk_id: r for r in db.session.execute(query)}
    found = [_figures(rows.get(d.id), d.id, d.name, unit_name) for d, unit_name in desks]
    for figure, (desk, _name) in zip(found, desks, strict=True):
        figure.unit_id = desk.unit_id
    return found


def months_back(end: date, count: int) -> list[date]:
    first = end.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def monthly_trend(desk_ids: list[int], end: date, months: int = 12) -> list[tuple[date, Figure]]:
    """Per month up to `end`'s: the satisfied ratings out of all ratings of `desk_ids`."""
    starts = months_back(end, months)
    month = func.date_trunc("month", Feedback.received_on)
    ok = sum(func.sum(case((getattr(Feedback, e) >= 4, 1), else_=0)) for e in ELEMENTS)
    total = sum(func.sum(cast(getattr(Feedback, e), Integer)) for e in ELEMENTS)
    query = (select(month.label("m"), func.count().label("n"), ok.label("ok"), total.label("total"))
             .where(Feedback.desk_id.in_(desk_ids or [0]), Feedback.received_on >= starts[0],
                    Feedback.received_on <= end).group_by(month))
    by_month = {r.m.date() if hasattr(r.m, "date") else r.m: r for r in db.session.execute(query)}
    out = []
    for start in starts:
        row = by_month.get(start)
        out.append((start, Figure(int(row.ok), 5 * row.n, int(row.total)) if row else Figure()))
    return out


def weakest_desks(actor, limit: int = 5, days: int = 90) -> list[DeskFigures]:
    """The desks with the lowest satisfaction over the last `days` among those with enough answers."""
    end = local_today()
    found = [f for f in desk_figures(actor, end - timedelta(days=days), end) if f.answers and not f.small_sample()]
    return sorted(found, key=lambda f: (f.overall.rate, f.name))[:limit]


def unit_figures(unit_ids: list[int], start: date, end: date) -> DeskFigures:
    """Every desk of `unit_ids` together over [start, end]: answers and per-element figures."""
    query = select(*_columns()).where(Feedback.unit_id.in_(unit_ids), Feedback.received_on.between(start, end))
    return _figures(db.session.execute(query).one(), 0, "", "")


def unit_rate(unit_ids: list[int], start: date, end: date) -> Figure:
    """The satisfaction of every desk of `unit_ids` over [start, end] (the PAR Index hook)."""
    return unit_figures(unit_ids, start, end).overall
