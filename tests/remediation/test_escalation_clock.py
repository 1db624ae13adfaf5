"""Issue 6: escalation of overdue remediation by the clock in Asia/Ho_Chi_Minh, through the real
daily job: the unit head hears of it from 00:00 of deadline + ESCALATE_TO_HEAD_DAYS, the leaders
from 00:00 of deadline + ESCALATE_TO_LEADER_DAYS; nothing at 23:59 the evening before."""

from datetime import timedelta

from sqlalchemy import select

from inspection.jobs.remediation import escalate_remediation
from inspection.remediation import escalation
from models import Notification, ScheduledRun, db

from . import test_reminders
from .test_reminders import at, inbox

world = test_reminders.world  # the fixture: the daily hour at 00:00 and the concluded inspection's actions

ESCALATED = ("open", "other_unit", "awaiting_head")  # overdue; the others wait for review or are accepted


def levels(made) -> dict[str, int]:
    for action in made.values():
        db.session.refresh(action)
    return {case: action.escalation_level for case, action in made.items()}


def overdue_notes(user) -> list[str]:
    stmt = select(Notification.kind).where(Notification.user_id == user.id)
    assert set(db.session.execute(stmt).scalars()) <= {"overdue"}
    return inbox(user)


def test_escalation_reaches_the_head_then_the_leader_at_midnight_in_vietnam(app, world):
    people, made, deadline = world
    head_days, leader_days = app.config["ESCALATE_TO_HEAD_DAYS"], app.config["ESCALATE_TO_LEADER_DAYS"]
    to_head, to_leader = deadline + timedelta(days=head_days), deadline + timedelta(days=leader_days)

    with at(to_head - timedelta(days=1), "23:59"):
        assert escalate_remediation() is True
    assert set(levels(made).values()) == {0}
    assert all(inbox(user) == [] for user in people.values())

    with at(to_head, "00:30"):  # 17:30 the day before in UTC
        assert escalate_remediation() is True
    assert levels(made) == {"open": 1, "other_unit": 1, "awaiting_head": 1, "waiting_review": 0, "accepted": 0}
    late = f"Quá hạn khắc phục {head_days} ngày: Khắc phục"
    assert overdue_notes(people["head"]) == [f"{late} open", f"{late} awaiting_head"]
    assert overdue_notes(people["head_b"]) == [f"{late} other_unit"]
    for key in ("leader", "coordinator", "officer", "officer_b", "inspector"):
        assert inbox(people[key]) == []
    assert escalation.leader_list(people["leader"]) == []

    with at(to_leader - timedelta(days=1), "23:59"):
        assert escalate_remediation() is True
    assert {levels(made)[case] for case in ESCALATED} == {escalation.HEAD}
    assert inbox(people["leader"]) == [] and len(inbox(people["head"])) == 2

    with at(to_leader, "00:30"):
        assert escalate_remediation() is True
        assert escalate_remediation() is False  # once a day, whoever runs it
    assert {levels(made)[case] for case in ESCALATED} == {escalation.LEADER}
    later = f"Quá hạn khắc phục {leader_days} ngày: Khắc phục"
    assert sorted(overdue_notes(people["leader"])) == sorted(f"{later} {case}" for case in ESCALATED)
    assert len(inbox(people["head"])) == 2 and inbox(people["officer"]) == []  # the head is told once
    assert {a.id for a in escalation.leader_list(people["leader"])} == {made[c].id for c in ESCALATED}
    runs = db.session.execute(select(ScheduledRun.result).where(ScheduledRun.job_name == "remediation_escalation")
                              .order_by(ScheduledRun.run_on)).scalars().all()
    assert runs == ["raised 0", "raised 3", "raised 0", "raised 3"]
