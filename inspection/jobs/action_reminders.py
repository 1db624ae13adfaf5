"""Reminders (đôn đốc) of remediation actions: due in one of REMINDER_DAYS days, or overdue by
DESIGN's deadline rule — the same overdue query the escalation uses, so work confirmed on time and
waiting for review is never reminded. They go to the responsible unit's officers and head (the
escalation, not the reminder, reaches the leaders), once per action, kind and day."""

from datetime import date

from sqlalchemy import select

from models import RemediationAction, db
from models.enums import NotificationKind, Timeliness

from ..language.formatting import local_today
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..plans.timeliness import timeliness_clause
from ..remediation.escalation import overdue_actions
from ..web.links import path_for
from .daily import run_once_today
from .reminders import OVERDUE, reminder_kinds, send_once

SUBJECT = "remediation_action"


def send_action_reminders() -> bool:
    """Once a day (scheduled): send today's remediation reminders."""
    return run_once_today("remediation_reminders", remind_actions)


def remind_actions(today: date | None = None) -> str:
    """Send every action reminder due today that has not gone out yet; safe to run concurrently."""
    today = today or local_today()
    due = due_action_reminders(today)
    sent = sum(_send_once(action_id, kind, today) for action_id, kind in due)
    return f"{sent}/{len(due)} remediation reminders sent"


def due_action_reminders(today: date) -> list[tuple[int, str]]:
    """(action id, kind): unfinished actions due in one of the configured numbers of days
    ("due_7"…), then the overdue ones ("overdue")."""
    a, kinds = RemediationAction, reminder_kinds(today)
    soon = (select(a.id, a.deadline)
            .where(timeliness_clause(Timeliness.ON_TRACK, today, a), a.deadline.in_(list(kinds)))
            .order_by(a.deadline, a.id))
    return ([(action_id, kinds[deadline]) for action_id, deadline in db.session.execute(soon)]
            + [(action.id, OVERDUE) for action in overdue_actions(today)])


def _send_once(action_id: int, kind: str, today: date) -> int:
    action = db.session.get(RemediationAction, action_id)
    if action is None:
        return 0
    members = unit_members([action.unit_id])
    return send_once(SUBJECT, action.id, kind, today, members, lambda: _notify(action, kind, today, members))


def _notify(action: RemediationAction, kind: str, today: date, members: list[int]) -> None:
    link = path_for("remediation.detail", action_id=action.id)
    what, deadline = action.description[:200], action.deadline
    if kind == OVERDUE:
        notify(members, NotificationKind.OVERDUE,
               N_("Đôn đốc khắc phục: quá hạn %(days)d ngày (hạn %(deadline)s), chưa khắc phục xong: %(what)s"), link,
               params={"days": (today - deadline).days, "deadline": f"{deadline:%d/%m/%Y}", "what": what})
    else:
        notify(members, NotificationKind.DEADLINE_NEAR,
               N_("Sắp đến hạn khắc phục: còn %(days)d ngày (hạn %(deadline)s): %(what)s"), link,
               params={"days": (deadline - today).days, "deadline": f"{deadline:%d/%m/%Y}", "what": what})
