"""The precomputed summary behind the dashboard (DashboardFact rows) and its freshness.

A commit that touches a task, inspection, finding or remediation action records the units it
touched in Redis; the job (every few seconds) recounts just those units (a change to a unit
itself, such as a merge, recounts everything). The whole summary is
rebuilt at each day boundary (tasks become overdue at midnight without any change) and every
DASHBOARD_FULL_REFRESH_SECONDS as a safety net. The page reads the summary when it was computed
today and recently enough; otherwise it counts live (same queries, same figures) and says so."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import delete, event, insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Finding, Inspection, OrgUnit, RemediationAction, Task, db, utcnow
from models.dashboard import DashboardFact, DashboardRefresh

from ..formatting import local_today
from ..transaction import unit_of_work
from .facts import COLUMNS, live_source

log = logging.getLogger(__name__)
DIRTY_KEY = "dashboard:dirty-units"
WATCHED = (Task, RemediationAction, Inspection, Finding, OrgUnit)  # a unit's change (a merge) redraws all
STATE_ID = 1
ALL = -1  # in the dirty set: recount everything (a change whose units are unknown)


@dataclass
class Freshness:
    """Where the page's figures come from: the summary (and when it was refreshed) or live."""

    live: bool
    refreshed_at: datetime | None


def config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def refresh_summary(today=None) -> None:
    """Rebuild every count for `today` (Asia/Ho_Chi_Minh) in one transaction; concurrent
    refreshes take turns on the bookkeeping row's lock."""
    _refresh(today or local_today(), units=None)
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


def refresh_units(unit_ids) -> None:
    """Recount the given units only (today's summary stays today's)."""
    _refresh(local_today(), units=sorted(set(unit_ids)))


def _refresh(today, units) -> None:
    started = time.perf_counter()
    with unit_of_work():
        state = _locked_state()
        if units is not None and state.computed_on != today:
            units = None  # another day: every overdue count may have changed
        stale = delete(DashboardFact)
        db.session.execute(stale if units is None else stale.where(DashboardFact.unit_id.in_(units)))
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


# ---- change tracking: a commit touching the records behind the figures marks their units dirty

def _units_of(obj) -> set[int]:
    if isinstance(obj, OrgUnit):
        return {ALL}
    history = inspect(obj).attrs.unit_id.history
    return {u for u in (obj.unit_id, *history.deleted) if u is not None} or {ALL}


def _note_changes(session, _flush_context) -> None:
    touched = session.info.setdefault("dashboard_units", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WATCHED):
            touched |= _units_of(obj)


def _after_commit(session) -> None:
    units = session.info.pop("dashboard_units", None)
    if units:
        mark_dirty(units)


def _after_rollback(session) -> None:
    session.info.pop("dashboard_units", None)


def watch_changes() -> None:
    """Install the session hooks (once per process)."""
    for name, hook in (("after_flush", _note_changes), ("after_commit", _after_commit),
                       ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def _redis():
    if not has_app_context() or not current_app.config.get("REDIS_URL"):
        return None  # the embedded default: the periodic full refresh alone keeps it current
    from ..queue import get_redis

    return get_redis()


def _key() -> str:
    return current_app.config["RQ_QUEUE_PREFIX"] + DIRTY_KEY


def mark_dirty(units) -> None:
    """Ask the next run of the job to recount these units; a Redis outage only delays it."""
    try:
        client = _redis()
        if client is not None:
            client.sadd(_key(), *units)
    except Exception:  # noqa: BLE001 — the commit already succeeded; the periodic refresh catches up
        log.warning("could not mark the dashboard summary dirty", exc_info=True)


def take_dirty() -> set[int]:
    """The units changed since the last call (the mark is cleared)."""
    client = _redis()
    if client is None:
        return set()
    with client.pipeline() as pipe:
        pipe.smembers(_key())
        pipe.delete(_key())
        members, _ = pipe.execute()
    return {int(m) for m in members}
