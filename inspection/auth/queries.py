"""Read-only views of a user's own sign-ins, for the account security page."""

import hashlib
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from models import RecoveryCode, UserSession, db, utcnow

SECOND_FACTOR_WINDOW = timedelta(minutes=10)  # a half-finished sign-in lapses after this

# (pattern, label), first match wins: Edge and Cốc Cốc also say "Chrome", Chrome also says "Safari"
_BROWSERS = [
    (r"Edg/", "Edge"), (r"coc_coc_browser", "Cốc Cốc"), (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS", "Firefox"), (r"Chrome/|CriOS|Chromium", "Chrome"), (r"Safari/", "Safari"),
]
_SYSTEMS = [
    (r"Android", "Android"), (r"iPad", "iPadOS"), (r"iPhone|iOS", "iOS"), (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux", "Linux"),
]


def session_handle(session_id: str) -> str:
    """A public name for a session: the id itself is a bearer secret and never leaves the server."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


def session_expires_at(row: UserSession):
    """When a session ends however active it is: its sign-in plus SESSION_MAX_DAYS."""
    return row.created_at + _max_age()


def _max_age() -> timedelta:
    return timedelta(days=current_app.config["SESSION_MAX_DAYS"])


def list_active_sessions(user) -> list[UserSession]:
    """The user's sessions that are still open, most recently seen first."""
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    now = utcnow()
    stmt = (select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
                   UserSession.last_seen_at >= now - idle, UserSession.created_at > now - _max_age(),
                   or_(UserSession.is_second_factor_done,
                       UserSession.created_at >= now - SECOND_FACTOR_WINDOW))
            .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc()))
    return list(db.session.execute(stmt).scalars())


def count_unused_recovery_codes(user) -> int:
    stmt = select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id,
                                                     RecoveryCode.used_at.is_(None))
    return db.session.execute(stmt).scalar_one()


def describe_agent(user_agent: str) -> str:
    """"Chrome · Android" from a User-Agent header; the raw text's start when nothing is known."""
    browser = next((label for pattern, label in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((label for pattern, label in _SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part) or user_agent[:60]
