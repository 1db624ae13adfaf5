"""Timeliness is derived from status, completion date and deadline — never typed by hand.

A deadline is a date in Asia/Ho_Chi_Minh: unfinished work is overdue from 00:00 of the day after
it. Work the unit completed (head confirmed) and that waits for review is "chờ duyệt": never
overdue, never reminded, never counted against the unit."""

from datetime import date

from sqlalchemy import and_, or_

from models import Task
from models.enums import TaskStatus, Timeliness

OPEN_WORK = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.AWAITING_HEAD, TaskStatus.RETURNED)
RESULT_SUBMITTED = (TaskStatus.AWAITING_HEAD, TaskStatus.SUBMITTED, TaskStatus.ACCEPTED)


def shown_progress(status: str, progress: int) -> int:
    """What a task's progress reads: 100 % once the unit has submitted its result (the officer's
    last progress report stays on the task's thread and is named beside it)."""
    return 100 if status in RESULT_SUBMITTED else progress


def timeliness(status: str, deadline: date, completed_on: date | None, today: date) -> Timeliness:
    """The timeliness of one piece of work on `today`."""
    if status == TaskStatus.CANCELLED:
        return Timeliness.CANCELLED
    if status == TaskStatus.ACCEPTED:
        return Timeliness.DONE_ON_TIME if completed_on and completed_on <= deadline else Timeliness.DONE_LATE
    if status == TaskStatus.SUBMITTED:
        return Timeliness.AWAITING_REVIEW
    return Timeliness.OVERDUE if today > deadline else Timeliness.ON_TRACK


def task_timeliness(task: Task, today: date) -> Timeliness:
    return timeliness(task.status, task.deadline, task.completed_on, today)


def timeliness_clause(value: str, today: date, model=Task):
    """The SQL condition for one timeliness value (for list filters and counts)."""
    clauses = {
        Timeliness.ON_TRACK: and_(model.status.in_(OPEN_WORK), model.deadline >= today),
        Timeliness.OVERDUE: and_(model.status.in_(OPEN_WORK), model.deadline < today),
        Timeliness.AWAITING_REVIEW: model.status == TaskStatus.SUBMITTED,
        Timeliness.DONE_ON_TIME: and_(model.status == TaskStatus.ACCEPTED, model.completed_on <= model.deadline),
        Timeliness.DONE_LATE: and_(model.status == TaskStatus.ACCEPTED,
                                   or_(model.completed_on > model.deadline, model.completed_on.is_(None))),
        Timeliness.CANCELLED: model.status == TaskStatus.CANCELLED,
    }
    return clauses[Timeliness(value)]


def rate(done: int, total: int) -> str:
    """ "22/24 (91,7%)" — numerator, denominator and a one-decimal percentage with a comma."""
    if total == 0:
        return "0/0"
    percent = f"{done * 100 / total:.1f}".replace(".", ",")
    return f"{done}/{total} ({percent}%)"
