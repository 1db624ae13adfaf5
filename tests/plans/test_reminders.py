"""Reminders (đôn đốc): tasks due in 7, 3 and 1 days and overdue tasks are reminded to their unit
(overdue ones also to the coordinators above); work waiting for review is never reminded; each
reminder goes out once per task per day, even when two runs overlap on separate connections."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspection.jobs.reminders import remind_tasks, send_task_reminders
from inspection.language.formatting import local_today
from inspection.plans import assignments, services, workflow
from models import Notification, ReminderSent, ScheduledRun, Task, db
from models.enums import Role, TaskStatus
from tests.factories import make_tree, make_user
from tests.threads import at_once, in_app_context


def build(today):
    """A People's Committee plan issued a month ago with one task per reminder case."""
    tree = make_tree()
    people = {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"]),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"]),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"]),
        "other_officer": make_user(role=Role.UNIT_OFFICER, unit=tree["b"]),
    }
    db.session.commit()
    plan = services.create_plan(people["coordinator"], unit=tree["pc"], number="12/KH-UBND",
                                issued_on=today - timedelta(days=30), title="Kế hoạch cải cách hành chính",
                                year=today.year)
    cases = {"due_7": 7, "due_3": 3, "due_1": 1, "due_2": 2, "overdue": -2, "waiting_review": -4,
             "awaiting_head_late": -1, "accepted": 3, "cancelled": 1}
    made = {}
    for n, (key, days) in enumerate(cases.items(), start=1):
        made[key] = assignments.add_task(people["coordinator"], plan, {
            "number": str(n), "title": f"Nhiệm vụ {key}", "unit_id": tree["a"].id,
            "deadline": today + timedelta(days=days), "support_unit_ids": [tree["b"].id]})
    services.issue_plan(people["leader"], plan)
    _settle(people, made)
    draft = services.create_plan(people["coordinator"], unit=tree["pc"], number="", title="Dự thảo",
                                 issued_on=today - timedelta(days=30), year=today.year)
    made["in_draft_plan"] = assignments.add_task(people["coordinator"], draft, {
        "number": "1", "title": "Nhiệm vụ dự thảo", "unit_id": tree["a"].id, "deadline": today + timedelta(days=1),
        "support_unit_ids": []})
    _forget_notifications()
    return people, made


def _settle(people, made):
    """Move the cases into their states the way users do."""
    officer, head, coordinator = people["officer"], people["head"], people["coordinator"]
    workflow.submit_task(officer, made["waiting_review"], note="Đã xong")
    workflow.confirm_task(head, made["waiting_review"])  # chờ duyệt, past its deadline by now
    workflow.submit_task(officer, made["awaiting_head_late"], note="Chờ thủ trưởng")
    workflow.submit_task(officer, made["accepted"], note="Xong")
    workflow.confirm_task(head, made["accepted"])
    workflow.accept_task(coordinator, made["accepted"])
    assignments.cancel_task(coordinator, made["cancelled"], "Không còn phù hợp")


def _forget_notifications():
    db.session.execute(db.delete(Notification))
    db.session.commit()


def inbox(user) -> list[str]:
    stmt = select(Notification.title).where(Notification.user_id == user.id).order_by(Notification.title)
    return list(db.session.execute(stmt).scalars())


def reminded(user, task: Task) -> int:
    return sum(1 for title in inbox(user) if title.endswith(task.title))


@pytest.fixture
def world(app, ctx):
    hour, app.config["DAILY_RUN_HOUR"] = app.config["DAILY_RUN_HOUR"], 0
    yield build(local_today())
    app.config["DAILY_RUN_HOUR"] = hour


def test_tasks_due_in_7_3_1_days_and_overdue_ones_are_reminded_to_the_unit(world):
    people, made = world
    assert send_task_reminders() is True
    today = local_today()
    for key in ("officer", "head"):
        assert sorted(inbox(people[key])) == sorted([
            f"Sắp đến hạn: còn 7 ngày (hạn {today + timedelta(days=7):%d/%m/%Y}): Nhiệm vụ due_7",
            f"Sắp đến hạn: còn 3 ngày (hạn {today + timedelta(days=3):%d/%m/%Y}): Nhiệm vụ due_3",
            f"Sắp đến hạn: còn 1 ngày (hạn {today + timedelta(days=1):%d/%m/%Y}): Nhiệm vụ due_1",
            f"Đôn đốc: nhiệm vụ quá hạn 2 ngày (hạn {today - timedelta(days=2):%d/%m/%Y}), chưa hoàn thành: "
            "Nhiệm vụ overdue",
            f"Đôn đốc: nhiệm vụ quá hạn 1 ngày (hạn {today - timedelta(days=1):%d/%m/%Y}), chưa hoàn thành: "
            "Nhiệm vụ awaiting_head_late",
        ])
    assert sorted(inbox(people["coordinator"])) == sorted([
        f"Nhiệm vụ quá hạn của Ủy ban nhân dân xã An Phước (hạn {today - timedelta(days=1):%d/%m/%Y}): "
        "Nhiệm vụ awaiting_head_late",
        f"Nhiệm vụ quá hạn của Ủy ban nhân dân xã An Phước (hạn {today - timedelta(days=2):%d/%m/%Y}): "
        "Nhiệm vụ overdue"])
    assert inbox(people["other_officer"]) == [] and inbox(people["leader"]) == []
    note = db.session.execute(select(Notification).where(Notification.user_id == people["officer"].id,
                                                         Notification.kind == "overdue")).scalars().first()
    assert note.link == f"/tasks/{made['overdue'].id}"


def test_work_waiting_for_review_past_its_deadline_is_never_reminded(world):
    people, made = world
    assert made["waiting_review"].status == TaskStatus.SUBMITTED
    assert made["waiting_review"].deadline < local_today()
    send_task_reminders()
    for key in ("officer", "head", "coordinator"):
        for case in ("waiting_review", "accepted", "cancelled", "due_2", "in_draft_plan"):
            assert reminded(people[key], made[case]) == 0, (key, case)


def test_a_second_run_the_same_day_sends_nothing_more(world):
    people, _made = world
    assert send_task_reminders() is True
    first = len(inbox(people["officer"]))
    assert send_task_reminders() is False
    assert remind_tasks() == "0/5 task reminders sent"  # even bypassing the daily row
    assert len(inbox(people["officer"])) == first == 5


def test_the_days_before_the_deadline_are_a_setting(app, world):
    people, made = world
    app.config["REMINDER_DAYS"] = (2,)
    try:
        remind_tasks()
    finally:
        app.config["REMINDER_DAYS"] = (7, 3, 1)
    assert reminded(people["officer"], made["due_2"]) == 1
    assert reminded(people["officer"], made["due_7"]) == reminded(people["officer"], made["due_1"]) == 0


# ---- two runs at once, each on its own connection ------------------------------------------------


def _one_per_recipient_per_task(people) -> None:
    for key in ("officer", "head"):
        titles = inbox(people[key])
        assert len(titles) == len(set(titles)) == 5, titles
    assert len(inbox(people["coordinator"])) == 2
    rows = db.session.execute(select(ReminderSent.kind, func.count()).group_by(ReminderSent.kind)).all()
    assert dict(rows) == {"due_7": 1, "due_3": 1, "due_1": 1, "overdue": 2}


@pytest.mark.committed
def test_two_concurrent_runs_send_each_reminder_once(committed):
    people, _made = build(local_today())
    outcomes = at_once(*[in_app_context(committed, remind_tasks)] * 2)
    assert len(outcomes) == 2 and sum(int(o.split("/")[0]) for o in outcomes) == 5  # each claimed once
    db.session.expire_all()
    _one_per_recipient_per_task(people)


@pytest.mark.committed
def test_two_schedulers_firing_the_daily_job_at_once_act_once(committed):
    hour, committed.config["DAILY_RUN_HOUR"] = committed.config["DAILY_RUN_HOUR"], 0
    try:
        people, _made = build(local_today())
        ran = at_once(*[in_app_context(committed, send_task_reminders)] * 2)
    finally:
        committed.config["DAILY_RUN_HOUR"] = hour
    assert sorted(ran) == [False, True]
    db.session.expire_all()
    _one_per_recipient_per_task(people)
    assert db.session.execute(select(func.count()).select_from(ScheduledRun)).scalar_one() == 1
