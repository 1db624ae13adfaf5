"""notify(): the one way to tell users something, delivered only after the change commits."""

from flask import current_app, g, has_request_context
from sqlalchemy import func, select

from models import Notification, User, db, utcnow

from .queue import enqueue
from .transaction import after_commit, unit_of_work


def notify(user_ids, kind: str, title: str, link: str = "") -> None:
    """Queue a notification to each user; written (and e-mailed) after the commit."""
    ids = sorted(set(user_ids))
    if ids:
        after_commit(lambda: _deliver(ids, kind, title, link))


def _deliver(user_ids: list[int], kind: str, title: str, link: str) -> None:
    forget_unread()
    rows = [Notification(user_id=uid, kind=kind, title=title[:300], link=link) for uid in user_ids]
    with unit_of_work():
        db.session.add_all(rows)
    if current_app.config["SMTP_HOST"]:
        for row in rows:
            enqueue("inspection.jobs.mail.send_notification_email", row.id)


def unread_clause(user_id):
    """The count of a user's unread notifications, as a column (the bell's figure)."""
    return select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))


def remember_unread(user, count: int) -> None:
    """Keep the bell's figure, read along with the user's session, for this request."""
    if has_request_context():
        g.unread_count = (user.id, count)


def forget_unread() -> None:
    if has_request_context():
        g.pop("unread_count", None)


def unread_count(user) -> int:
    known = g.get("unread_count") if has_request_context() else None
    if known is not None and known[0] == user.id:
        return known[1]
    return db.session.execute(unread_clause(user.id)).scalar_one()


def recent(user, limit: int = 30) -> list[Notification]:
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    return list(db.session.execute(stmt).scalars())


def mark_all_read(user) -> None:
    """Mark the user's notifications read (their own inbox: no audit event)."""
    forget_unread()
    with unit_of_work():
        for row in db.session.execute(select(Notification).where(
                Notification.user_id == user.id, Notification.read_at.is_(None))).scalars():
            row.read_at = utcnow()


def recipients(user_ids) -> list[User]:
    return list(db.session.execute(select(User).where(User.id.in_(user_ids), User.is_active)).scalars())
