"""Periodic jobs. Each takes no objects, reloads what it needs and acts through services."""

from datetime import timedelta

from sqlalchemy import delete

from models import UserSession, db, utcnow

from .daily import run_once_today


def daily_housekeeping() -> bool:
    """Once a day: drop sign-in sessions that ended more than 30 days ago."""
    return run_once_today("daily_housekeeping", _purge_old_sessions)


def _purge_old_sessions() -> str:
    cutoff = utcnow() - timedelta(days=30)
    result = db.session.execute(delete(UserSession).where(UserSession.revoked_at < cutoff))
    return f"purged {result.rowcount} sessions"
