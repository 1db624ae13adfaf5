"""Reminders (đôn đốc): tasks due in a few days (REMINDER_DAYS, default 7, 3 and 1) and overdue
tasks are reminded to their lead unit's officers and head; overdue ones also to the coordinators
of the units above. Work waiting for review ("chờ duyệt") is never reminded.

Each reminder is one ReminderSent row (subject, kind, day) whose unique constraint decides: however
many schedulers or workers run at once, a reminder goes out once a day. Remediation actions are
reminded the same way (action_reminders.py)."""

from collections.abc import Callable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from models import Plan, ReminderSent, Task, ancestor_ids, db
from models.enums import NotificationKind, PlanStatus, Role

from ..data.transaction import unit_of_work
from ..language.formatting import local_today
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..plans.timeliness import OPEN_WORK
from ..web.links import path_for
from .daily import run_once_today

OVERDUE = "overdue"


def send_task_reminders() -> bool:
    """Once a day (scheduled): send today's task reminders."""
    return run_once_today("task_reminders", remind_tasks)


def remind_tasks(today: date | None = None) -> str:
    """Send every reminder due today that has not gone out yet; safe to run concurrently."""
    today = today or local_today()
    due = due_reminders(today)
    sent = sum(_send_once(task_id, kind, today) for task_id, kind in due)
    return f"{sent}/{len(due)} task reminders sent"


def due_reminders(today: date) -> list[tuple[int, str]]:
    """(task id, kind) of the unfinished tasks of issued plans (or ad hoc) due in one of the
    configured numbers of days ("due_7"…) or past their deadline ("overdue")."""
    kinds = reminder_kinds(today)
    stmt = (select(Task.id, Task.deadline).outerjoin(Plan, Plan.id == Task.plan_id)
            .where(Task.status.in_(OPEN_WORK), or_(Task.plan_id.is_(None), Plan.status == PlanStatus.ISSUED),
                   or_(Task.deadline.in_(list(kinds)), Task.deadline < today))
            .order_by(Task.deadline, Task.id))
    return [(task_id, kinds.get(deadline, OVERDUE)) for task_id, deadline in db.session.execute(stmt)]


def reminder_kinds(today: date) -> dict[date, str]:
    """The deadlines reminded today before they fall, with their kind: today + 7 days → "due_7"…"""
    return {today + timedelta(days=d): f"due_{d}" for d in current_app.config["REMINDER_DAYS"]}


def send_once(subject_type: str, subject_id: int, kind: str, today: date, recipients: list[int],
              deliver: Callable[[], None]) -> int:
    """Claim (subject, kind, today) by inserting its row and `deliver` in the same transaction: only
    the run whose row commits sends; a concurrent run waits on the unique row, then gives up."""
    try:
        with unit_of_work():
            db.session.add(ReminderSent(subject_type=subject_type, subject_id=subject_id, kind=kind, sent_on=today,
                                        detail={"recipients": recipients}))
            db.session.flush()
            deliver()
    except IntegrityError:  # another run claimed it first
        return 0
    return 1


def _send_once(task_id: int, kind: str, today: date) -> int:
    task = db.session.get(Task, task_id)
    if task is None:
        return 0
    members = unit_members([task.unit_id])
    coordinators = _coordinators(task, exclude=members) if kind == OVERDUE else []
    return send_once("task", task.id, kind, today, members + coordinators,
                     lambda: _notify(task, kind, today, members, coordinators))


def _coordinators(task: Task, exclude: list[int]) -> list[int]:
    above = unit_members(ancestor_ids(task.unit_id), [Role.COORDINATOR])
    return [uid for uid in above if uid not in exclude]


def _notify(task: Task, kind: str, today: date, members: list[int], coordinators: list[int]) -> None:
    link = path_for("plans.task_detail", task_id=task.id)
    title = task.title[:200]
    if kind == OVERDUE:
        days = (today - task.deadline).days
        notify(members, NotificationKind.OVERDUE,
               N_("Đôn đốc: nhiệm vụ quá hạn %(days)d ngày (hạn %(deadline)s), chưa hoàn thành: %(title)s"), link,
               params={"days": days, "deadline": f"{task.deadline:%d/%m/%Y}", "title": title})
        notify(coordinators, NotificationKind.OVERDUE,
               N_("Nhiệm vụ quá hạn của %(unit)s (hạn %(deadline)s): %(title)s"), link,
               params={"unit": task.unit.name, "deadline": f"{task.deadline:%d/%m/%Y}", "title": title})
        return
    days = (task.deadline - today).days
    notify(members, NotificationKind.DEADLINE_NEAR, N_("Sắp đến hạn: còn %(days)d ngày (hạn %(deadline)s): %(title)s"),
           link, params={"days": days, "deadline": f"{task.deadline:%d/%m/%Y}", "title": title})
