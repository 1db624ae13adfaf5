"""Bookkeeping for periodic work."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class ScheduledRun(db.Model):
    """One row per (periodic job, day): the unique key makes a daily job act once a day however
    many cron processes enqueue it, and survives a flushed Redis."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("job_name", "run_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    run_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(300), default="")


class BackupRun(db.Model):
    """BackupRun — lần sao lưu: one `flask backup` run (by hand or the daily schedule), kept so
    the operations page can show when the last good backup was taken, where, and how large."""

    __tablename__ = "backup_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # "ok" or "failed"
    trigger: Mapped[str] = mapped_column(String(20))  # "manual" or "scheduled"
    location: Mapped[str] = mapped_column(String(500), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    file_count: Mapped[int] = mapped_column(default=0)
    missing_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(1000), default="")
