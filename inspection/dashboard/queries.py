"""The dashboard's sums, in SQL over the counts of facts.py (live or stored): only a few hundred
rows come back whatever the number of records; and the units and areas the page names."""

from datetime import date
from typing import NamedTuple

from sqlalchemy import Date, Integer, Select, cast, func, literal, null, or_, select, true, union_all

from models import OrgUnit, ParArea, db
from models.dashboard import DashboardFact


class Total(NamedTuple):
    """A count summed over one grouping the page shows: per unit ("unit", key = unit id), per PAR
    area ("area", key = area id), per month ("month") or the remediation actions now ("now")."""

    grain: str
    subject: str
    key: int | None
    month: date | None
    state: str
    returned: bool
    hidden_by: int | None
    n: int


class UnitInfo(NamedTuple):
    id: int
    parent_id: int | None
    successor_id: int | None
    name: str
    short_name: str
    kind: str
    is_active: bool


def totals(source, *, period: tuple[date, date], trend: tuple[date, date], area_id: int | None) -> list[Total]:
    """Sum `source`'s counts into the four groupings the page shows, in one statement.

    Counted live, the source is computed once (a materialized CTE). Read from the summary table
    on PostgreSQL, each grouping reads the table itself (NOT MATERIALIZED) with its own period and
    subject filter: ix_dashboard_fact_month_subject then serves each one from the index alone, where
    a materialized CTE scanned the whole summary and sorted its rows (bench/web.py, the leader's
    year: 50,000 of 220,000 rows, ≈4× faster)."""
    f = source.cte("facts")
    stored = isinstance(source, Select) and DashboardFact.__table__ in source.get_final_froms()
    if stored:
        f = f.prefix_with("NOT MATERIALIZED")
    area_ok = or_(f.c.subject == "inspection", f.c.area_id == area_id) if area_id else true()
    in_period = f.c.month.between(*period)
    in_trend = f.c.month.between(*trend)

    def grain(name, *, key=None, by_month=False, where=()):
        rest = [f.c.state, f.c.returned, f.c.hidden_by]
        shown = [(key if key is not None else cast(null(), Integer)).label("key"),
                 (f.c.month if by_month else cast(null(), Date)).label("month")]
        groups = [c for c, used in ((key, key is not None), (f.c.month, by_month)) if used]
        return (select(literal(name).label("grain"), f.c.subject, *shown, *rest, func.sum(f.c.n).label("n"))
                .where(area_ok, *where).group_by(f.c.subject, *groups, *rest))

    stmt = union_all(
        grain("unit", key=f.c.unit_id, where=[in_period]),
        grain("area", key=f.c.area_id, where=[in_period, f.c.subject.in_(("task", "finding"))]),
        grain("month", by_month=True, where=[in_trend, f.c.subject.in_(("task", "action"))]),
        grain("now", where=[f.c.subject == "action_now", f.c.month.is_(None)]))  # (never has a month)
    return [Total(*row[:-1], int(row.n)) for row in db.session.execute(stmt)]


def unit_tree(units=None) -> dict[int, UnitInfo]:
    """The units (a select of ids; None for all) with what the rows of the dashboard need."""
    stmt = select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.successor_id, OrgUnit.name, OrgUnit.short_name,
                  OrgUnit.kind, OrgUnit.is_active)
    if units is not None:
        stmt = stmt.where(OrgUnit.id.in_(units))
    return {row.id: UnitInfo(*row) for row in db.session.execute(stmt)}


def areas() -> list[ParArea]:
    stmt = select(ParArea).order_by(ParArea.position, ParArea.id)
    return list(db.session.execute(stmt).scalars())
