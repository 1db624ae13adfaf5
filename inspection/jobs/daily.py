"""Once-per-day enforcement for periodic jobs: one database row per (job, day)."""

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from models import ScheduledRun, db, utcnow

from ..language.formatting import TZ, local_today


def run_once_today(job_name: str, work: Callable[[], str]) -> bool:
    """Run `work` unless it already ran (or is running) today in Asia/Ho_Chi_Minh, or it is
    still before the configured hour. Returns whether it ran. Two cron processes, a re-run or a
    Redis flush cannot make it act twice: the unique (job, day) row decides."""
    if datetime.now(TZ).hour < current_app.config["DAILY_RUN_HOUR"]:
        return False
    row = ScheduledRun(job_name=job_name, run_on=local_today())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    row.result = (work() or "")[:300]
    row.finished_at = utcnow()
    db.session.commit()
    return True
