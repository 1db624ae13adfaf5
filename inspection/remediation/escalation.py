"""Escalation of overdue remediation: to the unit head first, then onto the leader's list,
after configurable numbers of days overdue (DESIGN's deadline rule: overdue from 00:00 of the
day after the deadline; work confirmed on time and waiting for review is never overdue)."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from models import RemediationAction, ancestor_ids, db
from models.enums import NotificationKind, Role

from ..data.transaction import unit_of_work
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..plans.timeliness import timeliness_clause
from ..security import audit, scoping
from ..web.links import path_for

HEAD, LEADER = 1, 2


def level_for(days_overdue: int) -> int:
    cfg = current_app.config
    if days_overdue >= cfg["ESCALATE_TO_LEADER_DAYS"]:
        return LEADER
    if days_overdue >= cfg["ESCALATE_TO_HEAD_DAYS"]:
        return HEAD
    return 0


def overdue_actions(today: date) -> list[RemediationAction]:
    stmt = select(RemediationAction).where(timeliness_clause("overdue", today, RemediationAction))
    return list(db.session.execute(stmt.order_by(RemediationAction.deadline)).scalars())


def escalate_overdue(today: date) -> int:
    """Raise each overdue action to the level its days overdue call for; returns how many rose."""
    raised = 0
    for action in overdue_actions(today):
        level = level_for((today - action.deadline).days)
        if level > action.escalation_level:
            _raise(action, level, today)
            raised += 1
    return raised


def _raise(action: RemediationAction, level: int, today: date) -> None:
    with unit_of_work():
        before = action.escalation_level
        action.escalation_level = level
        audit.record(None, "remediation.escalated", "remediation_action", action.id, unit_id=action.unit_id,
                     before={"level": before}, after={"level": level, "days_overdue": (today - action.deadline).days})
        if level == HEAD:
            recipients = unit_members([action.unit_id], [Role.UNIT_HEAD])
        else:
            recipients = unit_members(ancestor_ids(action.unit_id), [Role.LEADER])
        notify(recipients, NotificationKind.OVERDUE,
               N_("Quá hạn khắc phục %(days)d ngày: %(what)s"), path_for("remediation.detail", action_id=action.id),
               params={"days": (today - action.deadline).days, "what": action.description[:200]})


def leader_list(actor) -> list[RemediationAction]:
    """Actions escalated to the leader, within what the actor sees."""
    stmt = scoping.scope(select(RemediationAction).where(RemediationAction.escalation_level >= LEADER),
                             actor, RemediationAction)
    return list(db.session.execute(stmt.order_by(RemediationAction.deadline)).scalars())
