"""notify(): the one way to tell users something, delivered only after the change commits."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, has_request_context
from flask_babel import gettext
from sqlalchemy import func, select

from models import Notification, User, db, utcnow

from ..data.queue import enqueue
from ..data.transaction import after_commit, unit_of_work
from ..errors import NotFound
from ..language.i18n import N_


def notify(user_ids, kind: str, message: str, link: str = "", *, params: dict | None = None,
           group: str = "") -> None:
    """Queue a notification to each user; written (and e-mailed) after the commit. `message` is a
    catalog msgid (N_) whose %(name)s placeholders `params` fills when the notification is read,
    in the reader's language (names, titles and dates stay as given); `group` is the link of the
    one line that several unread notifications of a message in FOLDS and the same group fold into."""
    ids = sorted(set(user_ids))
    values = {**(params or {}), **({GROUP: group} if group else {})}
    if ids:
        after_commit(lambda: _deliver(ids, kind, message, values, link))


def _deliver(user_ids: list[int], kind: str, message: str, values: dict, link: str) -> None:
    forget_unread()
    title = _filled(message, values)[:300]  # in Vietnamese: the e-mail's subject
    rows = [Notification(user_id=uid, kind=kind, title=title, message=message, params=values or None, link=link)
            for uid in user_ids]
    with unit_of_work():
        db.session.add_all(rows)
    if current_app.config["SMTP_HOST"]:
        for row in rows:
            enqueue("inspection.jobs.mail.send_notification_email", row.id)


GROUP = "_group"


def _values(params: dict | None) -> dict:
    return {k: v for k, v in (params or {}).items() if k != GROUP}


def _filled(message: str, params: dict | None) -> str:
    values = _values(params)
    return message % values if values else message


def text(row: Notification) -> str:
    """The notification in the reader's language: its message translated, then filled (rows from
    before messages were stored show their title)."""
    if not row.message:
        return row.title
    return gettext(row.message, **_values(row.params))


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


# Messages whose unread notifications about the same inspection or plan fold into one line.
FOLDS = {
    N_("Yêu cầu khắc phục mới"): N_("%(num)d yêu cầu khắc phục mới"),
    N_("Chờ xác nhận kết quả khắc phục"): N_("%(num)d hành động khắc phục chờ xác nhận"),
    N_("Đơn vị đã gửi kết quả khắc phục, chờ đánh giá"): N_("%(num)d kết quả khắc phục chờ đánh giá"),
    N_("Kết quả khắc phục đã được chấp nhận"): N_("%(num)d kết quả khắc phục đã được chấp nhận"),
    N_("Nhiệm vụ mới: %(title)s — hạn %(deadline)s"): N_("%(num)d nhiệm vụ mới được giao"),
}


@dataclass
class Line:
    """One line of the notification list: a notification, or several folded into one."""

    id: int  # the newest notification's (opening it marks the others of its fold read too)
    text: str
    link: str
    created_at: datetime
    unread: bool
    count: int = 1


def _fold_key(row: Notification):
    group = (row.params or {}).get(GROUP)
    return (row.message, group) if row.read_at is None and group and row.message in FOLDS else None


def lines(user, limit: int = 30) -> list[Line]:
    """The user's notifications, newest first, unread ones of a message in FOLDS about the same
    inspection or plan folded into one line ("6 hành động khắc phục chờ xác nhận")."""
    found, folded = [], {}
    for row in recent(user, limit * 5):
        key = _fold_key(row)
        if key in folded:
            folded[key].count += 1
            continue
        line = Line(row.id, text(row), row.link, row.created_at, row.read_at is None)
        if key:
            folded[key] = line
        found.append(line)
    for (message, group), line in folded.items():
        if line.count > 1:
            line.text, line.link = gettext(FOLDS[message], num=line.count), group  # always several
    return found[:limit]


def recent(user, limit: int = 30) -> list[Notification]:
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    return list(db.session.execute(stmt).scalars())


def open_notification(user, notification_id: int) -> str:
    """Mark the user's notification read, with the others folded into its line; its link. Another
    user's notification is NotFound (their own inbox: no audit event)."""
    row = db.session.execute(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id)).scalar_one_or_none()
    if row is None:
        raise NotFound()
    key = _fold_key(row)
    forget_unread()
    with unit_of_work():
        siblings = [r for r in _unread_rows(user) if key and _fold_key(r) == key]
        for each in [row, *siblings]:
            each.read_at = each.read_at or utcnow()
    link = key[1] if key and siblings else row.link
    return link if link.startswith("/") and not link.startswith("//") else "/notifications"


def _unread_rows(user) -> list[Notification]:
    return list(db.session.execute(select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalars())


def mark_all_read(user) -> None:
    """Mark the user's notifications read (their own inbox: no audit event)."""
    forget_unread()
    with unit_of_work():
        for row in _unread_rows(user):
            row.read_at = utcnow()


def recipients(user_ids) -> list[User]:
    return list(db.session.execute(select(User).where(User.id.in_(user_ids), User.is_active)).scalars())
