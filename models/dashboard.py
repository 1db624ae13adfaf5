"""The dashboard's precomputed summary: counts per unit, PAR area, month and state, rebuilt by a job."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db


class DashboardFact(db.Model):
    """One count of the summary: how many tasks, remediation actions, inspections or findings of
    one unit, PAR area and month are in one state. `hidden_by` is set only on counts of inspections
    not yet disclosed to their target (a surprise one before it starts, any other before it is
    announced) and of anything under them: the ordering unit, whose steering roles alone may add
    them in — the target unit's figures never include them."""

    __tablename__ = "dashboard_fact"
    # the page sums from an index alone (inspection/dashboard/queries.py totals()): a subtree's rows
    # by unit (a province among many, migration a8d2f6c4e913), everything's period (or, for
    # "action_now", the rows without a month) by month
    __table_args__ = (Index("ix_dashboard_fact_unit_month", "unit_id", "month",
                            postgresql_include=["subject", "area_id", "state", "returned", "hidden_by", "n"]),
                      Index("ix_dashboard_fact_month_subject", "month", "subject",
                            postgresql_include=["unit_id", "area_id", "state", "returned", "hidden_by", "n"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(12))  # task | action | action_now | inspection | finding
    unit_id: Mapped[int] = mapped_column(Integer)  # lead unit, responsible unit, target or inspected unit
    area_id: Mapped[int | None] = mapped_column(Integer)
    # first day of the deadline's (or start date's) month; none for "action_now" (current state)
    month: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))  # timeliness, inspection progress or severity
    returned: Mapped[bool] = mapped_column(Boolean, default=False)  # actions returned at least once
    hidden_by: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)


class DashboardRefresh(db.Model):
    """The summary's one bookkeeping row: the day its timeliness was computed for, its last full
    rebuild and its last refresh (full or of the units that changed)."""

    __tablename__ = "dashboard_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_on: Mapped[date | None] = mapped_column(Date)
    full_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    took_ms: Mapped[int] = mapped_column(Integer, default=0)


class DashboardChange(db.Model):
    """A unit whose records changed since the summary's job last recounted it, written by database
    triggers whoever writes (inspection/data/caches.py derives them); -1: every unit."""

    __tablename__ = "dashboard_change"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
