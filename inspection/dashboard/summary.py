"""The precomputed summary behind the dashboard (DashboardFact rows) and its freshness.

A write to a task, inspection, finding or remediation action, whoever makes it (a bulk statement
too), records the units it touched in dashboard_change (database triggers derived from SUMMARY's
declaration); the job (every few seconds) recounts just those units (a change to a unit itself,
such as a merge, or to a checklist item recounts everything). The whole summary is rebuilt at
each day boundary (tasks become overdue at midnight without any change) and every
DASHBOARD_FULL_REFRESH_SECONDS as a safety net. The page reads the summary when it was computed
today and recently enough; otherwise it counts live (same queries, same figures) and says so."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from models import db, utcnow
from models.dashboard import DashboardChange, DashboardFact, DashboardRefresh

from ..data import caches
from ..data.transaction import unit_of_work
from ..language.formatting import local_today
from .facts import COLUMNS, live_source

log = logging.getLogger(__name__)
# what live_source() reads: a write to these tables marks its rows' units (a unit's own change,
# such as a merge, or an item moved to another area: every unit)
SUMMARY = caches.unit_value("dashboard.summary", task="unit_id", remediation_action="unit_id",
                            inspection="unit_id", finding="unit_id", checklist_item=caches.EVERY_UNIT,
                            org_unit=caches.EVERY_UNIT)
STATE_ID = 1
ALL = caches.ALL_UNITS  # among the marks: recount everything


@dataclass
class Freshness:
    """Where the page's figures come from: the summary (and when it was refreshed) or live."""

    live: bool
    refreshed_at: datetime | None


def config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def refresh_summary(today=None, *, through: int = 0) -> None:
    """Rebuild every count for `today` (Asia/Ho_Chi_Minh) in one transaction, which also clears the
    marks up to `through` (changes()); concurrent refreshes take turns on the bookkeeping row's lock."""
    _refresh(today or local_today(), units=None, through=through)
    bind = db.session.get_bind()
    if isinstance(bind, Engine):
        # VACUUM as well as fresh statistics: the rebuild left every previous row dead; reclaiming
        # them keeps the table its size (not one more copy per rebuild) and marks its pages
        # all-visible, so the page sums a period from ix_dashboard_fact_month_subject alone
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) dashboard_fact"))
    else:  # bound to one connection inside a transaction (the tests): VACUUM cannot run there
        with unit_of_work():  # fresh statistics: the page's sums then hash instead of sorting
            db.session.execute(text("ANALYZE dashboard_fact"))


def refresh_units(unit_ids, *, through: int = 0) -> None:
    """Recount the given units only (today's summary stays today's); clear the marks up to `through`."""
    _refresh(local_today(), units=sorted(set(unit_ids)), through=through)


def _refresh(today, units, through: int) -> None:
    started = time.perf_counter()
    with unit_of_work():  # the marks go with the recount that answers them, or stay with its failure
        db.session.execute(delete(DashboardChange).where(DashboardChange.id <= through))
        state = _locked_state()
        if units is not None and state.computed_on != today:
            units = None  # another day: every overdue count may have changed
        stale = delete(DashboardFact)
        db.session.execute(stale if units is None else stale.where(DashboardFact.unit_id.in_(units)))
        with caches.loading(SUMMARY):
            db.session.execute(insert(DashboardFact).from_select(COLUMNS, live_source(today, units)))
        state.refreshed_at, state.took_ms = utcnow(), int((time.perf_counter() - started) * 1000)
        if units is None:
            state.computed_on, state.full_at = today, state.refreshed_at


def _locked_state() -> DashboardRefresh:
    """The bookkeeping row, locked until the commit (created by the first refresh ever)."""
    stmt = select(DashboardRefresh).where(DashboardRefresh.id == STATE_ID).with_for_update()
    state = db.session.execute(stmt).scalar_one_or_none()
    if state is None:
        try:
            with db.session.begin_nested():
                db.session.add(DashboardRefresh(id=STATE_ID, took_ms=0))
        except IntegrityError:
            pass  # another refresh created it first; wait for its lock below
        state = db.session.execute(stmt).scalar_one()
    return state


def current_state() -> DashboardRefresh | None:
    return db.session.get(DashboardRefresh, STATE_ID)


def freshness(state: DashboardRefresh | None) -> Freshness:
    """Use the summary when it was computed for today and refreshed within DASHBOARD_MAX_AGE."""
    max_age = timedelta(seconds=config("DASHBOARD_MAX_AGE", 1800))
    usable = (state is not None and state.refreshed_at is not None and state.computed_on == local_today()
              and utcnow() - state.refreshed_at <= max_age)
    return Freshness(live=not usable, refreshed_at=state.refreshed_at if usable else utcnow())


def full_refresh_due(state: DashboardRefresh | None) -> bool:
    """Rebuild everything when there is no summary, it is from another day, or older than
    DASHBOARD_FULL_REFRESH_SECONDS."""
    if state is None or state.full_at is None or state.computed_on != local_today():
        return True
    return utcnow() - state.full_at >= timedelta(seconds=config("DASHBOARD_FULL_REFRESH_SECONDS", 600))


# ---- change tracking: database triggers (inspection/data/caches.py, from SUMMARY's declaration) note the
# units of every write to the records behind the figures in dashboard_change, a bulk statement's too


def changes() -> tuple[set[int], int]:
    """The units marked since the last recount, and the last mark's id (what the recount clears). A
    bulk load leaves a mark per statement and unit (bench web's province: 310,000 for 161 units)."""
    last = func.max(DashboardChange.id)
    rows = db.session.execute(select(DashboardChange.unit_id, last).group_by(DashboardChange.unit_id)).all()
    return {unit for unit, _ in rows}, max((through for _, through in rows), default=0)

