"""Daily reminders (đôn đốc) of remediation actions: due in 7, 3 and 1 days and overdue ones, by the
day in Asia/Ho_Chi_Minh; work waiting for review or accepted is never reminded; each reminder goes
to the responsible unit's officers and head only, once per action per day, even when two runs
overlap on separate connections."""

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from inspection.files import storage
from inspection.inspections import conclusions, fieldwork, scheduling
from inspection.jobs.action_reminders import remind_actions, send_action_reminders
from inspection.language.formatting import TZ, local_today
from inspection.remediation import services
from models import Finding, Notification, RemediationAction, ReminderSent, ScheduledRun, db
from models.enums import RemediationStatus, Role
from tests.factories import make_tree, make_user
from tests.fieldwork import make_checklist, on_site
from tests.inspections.test_services import _close, _mark, _schedule
from tests.threads import at_once, in_app_context

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
# the action of each finding, in order: (its case, its responsible unit)
CASES = [("open", "a"), ("other_unit", "b"), ("awaiting_head", "a"), ("waiting_review", "a"), ("accepted", "a")]
REMINDED = ("open", "other_unit", "awaiting_head")


def at(day: date, clock: str):
    """Travel to a local time in Asia/Ho_Chi_Minh (00:30 there is still the day before in UTC)."""
    return time_machine.travel(datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=TZ), tick=False)


def build() -> tuple[dict, dict, date]:
    """An inspection of commune A concluded through the services, one action per case, all due in
    15 days; one of them answered by commune B. Returns the people, the actions and the deadline."""
    tree = make_tree()
    people = {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"]),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"]),
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"]),
        "officer_b": make_user(role=Role.UNIT_OFFICER, unit=tree["b"]),
        "head_b": make_user(role=Role.UNIT_HEAD, unit=tree["b"]),
    }
    db.session.commit()
    template = make_checklist(tree["pc"], n_items=len(CASES))
    inspection = _schedule(people, tree, template)
    scheduling.announce_inspection(people["coordinator"], inspection)
    fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    for item in template.items:
        _mark(people, inspection, item, value="non_compliant", severity="major", description=f"Tồn tại {item.code}")
    _close(people, inspection, template)
    findings = db.session.execute(select(Finding).order_by(Finding.id)).scalars().all()
    deadline = local_today() + timedelta(days=15)
    conclusions.draft_conclusion(people["inspector"], inspection, summary="Kết luận", items=[
        {"finding_id": f.id, "action": f"Khắc phục {case}", "deadline": deadline, "unit_id": tree[unit].id}
        for f, (case, unit) in zip(findings, CASES, strict=True)])
    conclusions.issue_conclusion(people["leader"], inspection)
    actions = db.session.execute(select(RemediationAction).order_by(RemediationAction.finding_id)).scalars().all()
    made = {case: action for (case, _), action in zip(CASES, actions, strict=True)}
    _settle(people, made)
    db.session.execute(db.delete(Notification))
    db.session.commit()
    return people, made, deadline


def _settle(people, made) -> None:
    """Before the deadline: one waits for its head, one for review, one is accepted."""
    for case in ("awaiting_head", "waiting_review", "accepted"):
        evidence = storage.store(io.BytesIO(PNG), "sau-khac-phuc.png", kind="evidence",
                                 uploaded_by_id=people["officer"].id)
        services.submit_action(people["officer"], made[case], note="Đã khắc phục", attachments=[evidence],
                               version=made[case].version)
    for case in ("waiting_review", "accepted"):
        services.confirm_action(people["head"], made[case], version=made[case].version)
    services.accept_action(people["inspector"], made["accepted"], version=made["accepted"].version)
    assert made["awaiting_head"].status == RemediationStatus.AWAITING_HEAD
    assert made["waiting_review"].status == RemediationStatus.SUBMITTED
    assert made["accepted"].status == RemediationStatus.ACCEPTED


def inbox(user) -> list[str]:
    stmt = select(Notification.title).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.execute(stmt).scalars())


def about(user, case: str) -> list[str]:
    return [title for title in inbox(user) if title.endswith(f"Khắc phục {case}")]


@pytest.fixture
def world(app, ctx):
    hour, app.config["DAILY_RUN_HOUR"] = app.config["DAILY_RUN_HOUR"], 0
    yield build()
    app.config["DAILY_RUN_HOUR"] = hour


def test_due_in_seven_days_counts_from_midnight_in_vietnam(world):
    people, made, deadline = world
    week_before = deadline - timedelta(days=7)
    with at(week_before - timedelta(days=1), "23:59"):
        assert remind_actions() == "0/0 remediation reminders sent"
    with at(week_before, "00:30"):  # 17:30 the day before in UTC
        assert remind_actions() == "3/3 remediation reminders sent"
    expected = f"Sắp đến hạn khắc phục: còn 7 ngày (hạn {deadline:%d/%m/%Y}): Khắc phục open"
    assert about(people["officer"], "open") == about(people["head"], "open") == [expected]
    assert len(about(people["officer"], "awaiting_head")) == 1  # not yet confirmed by its head: still the unit's
    note = db.session.execute(select(Notification).where(Notification.user_id == people["officer"].id,
                                                         Notification.kind == "deadline_near")).scalars().first()
    assert note.link == f"/remediation/{made['open'].id}"


def test_overdue_from_midnight_after_the_deadline_in_vietnam(world):
    people, made, deadline = world
    with at(deadline, "23:59"):
        assert remind_actions() == "0/0 remediation reminders sent"  # the deadline day itself: not overdue
    with at(deadline + timedelta(days=1), "00:30"):  # still the deadline day in UTC
        assert remind_actions() == "3/3 remediation reminders sent"
    assert about(people["head"], "open") == [
        f"Đôn đốc khắc phục: quá hạn 1 ngày (hạn {deadline:%d/%m/%Y}), chưa khắc phục xong: Khắc phục open"]
    assert about(people["officer"], "awaiting_head")[0].startswith("Đôn đốc khắc phục: quá hạn 1 ngày")
    with at(deadline + timedelta(days=4), "08:00"):
        remind_actions()
    assert about(people["officer"], "open")[-1].startswith("Đôn đốc khắc phục: quá hạn 4 ngày")
    rows = db.session.execute(select(ReminderSent.kind, func.count()).where(
        ReminderSent.subject_type == "remediation_action").group_by(ReminderSent.kind)).all()
    assert dict(rows) == {"overdue": 6}


def test_work_waiting_for_review_or_accepted_is_never_reminded(world):
    people, made, deadline = world
    for offset in (-7, -3, -1, 1, 5, 30):
        with at(deadline + timedelta(days=offset), "08:00"):
            remind_actions()
    for key in ("officer", "head"):
        assert about(people[key], "waiting_review") == about(people[key], "accepted") == []
        assert len(about(people[key], "open")) == len(about(people[key], "awaiting_head")) == 6
    assert made["waiting_review"].deadline < deadline + timedelta(days=30)


def test_only_the_responsible_units_officers_and_head_hear_of_it(world):
    people, made, deadline = world
    with at(deadline - timedelta(days=3), "08:00"):
        remind_actions()
    with at(deadline + timedelta(days=40), "08:00"):  # long overdue: still the unit's, not the leaders'
        remind_actions()
    for key in ("officer", "head"):
        assert len(inbox(people[key])) == 4 and about(people[key], "other_unit") == []
    for key in ("officer_b", "head_b"):
        assert len(inbox(people[key])) == 2 and inbox(people[key]) == about(people[key], "other_unit")
    for key in ("leader", "coordinator", "inspector", "member"):
        assert inbox(people[key]) == []
    sent = db.session.execute(select(ReminderSent).where(ReminderSent.subject_id == made["other_unit"].id,
                                                         ReminderSent.subject_type == "remediation_action")
                              ).scalars().all()
    assert [sorted(r.detail["recipients"]) for r in sent] == [sorted([people["officer_b"].id,
                                                                      people["head_b"].id])] * 2


def test_the_daily_job_sends_once_even_when_run_twice(world):
    people, _made, deadline = world
    with at(deadline - timedelta(days=1), "08:00"):
        assert send_action_reminders() is True
        assert send_action_reminders() is False
        assert remind_actions() == "0/3 remediation reminders sent"  # even bypassing the daily row
    assert len(inbox(people["officer"])) == 2 and len(inbox(people["officer_b"])) == 1
    with at(deadline, "08:00"):
        assert send_action_reminders() is True  # a new day: nothing is due on the deadline itself
    assert len(inbox(people["officer"])) == 2


# ---- two runs at once, each on its own connection ------------------------------------------------


@pytest.mark.committed
def test_two_concurrent_runs_send_each_reminder_once(committed):
    people, _made, deadline = build()
    with at(deadline + timedelta(days=2), "08:00"):
        outcomes = at_once(*[in_app_context(committed, remind_actions)] * 2)
    assert len(outcomes) == 2 and sum(int(o.split("/")[0]) for o in outcomes) == 3, outcomes  # each claimed once
    db.session.expire_all()
    for key in ("officer", "head"):
        assert len(inbox(people[key])) == len(set(inbox(people[key]))) == 2
    assert len(inbox(people["officer_b"])) == 1
    assert db.session.execute(select(func.count()).select_from(ReminderSent)).scalar_one() == 3


@pytest.mark.committed
def test_two_schedulers_firing_the_daily_job_at_once_act_once(committed):
    people, _made, deadline = build()
    hour, committed.config["DAILY_RUN_HOUR"] = committed.config["DAILY_RUN_HOUR"], 0
    try:
        with at(deadline - timedelta(days=3), "09:00"):
            ran = at_once(*[in_app_context(committed, send_action_reminders)] * 2)
    finally:
        committed.config["DAILY_RUN_HOUR"] = hour
    assert sorted(ran) == [False, True]
    db.session.expire_all()
    assert len(inbox(people["officer"])) == 2 and len(inbox(people["officer_b"])) == 1
    assert db.session.execute(select(func.count()).select_from(ScheduledRun)).scalar_one() == 1
