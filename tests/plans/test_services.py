"""The task state machine, timeliness at day boundaries in Asia/Ho_Chi_Minh, permissions and
domain validation — through the service functions, on PostgreSQL."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from inspection.deadlines import services as deadlines
from inspection.errors import Forbidden, InvalidTransition, ValidationError
from inspection.plans import assignments, services, workflow
from inspection.plans.queries import TaskFilters, filtered_tasks, plan_progress
from inspection.plans.timeliness import task_timeliness
from models import AuditEvent, Task, TaskUpdate, db
from models.enums import TASK_TRANSITIONS, Role, TaskStatus, Timeliness
from tests.factories import make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, clock: str = "09:00"):
    """Freeze the clock at a local (Asia/Ho_Chi_Minh) date and time."""
    return time_machine.travel(datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=VN), tick=False)


@pytest.fixture
def people(ctx, tree):
    return {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"]),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"]),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"]),
        "other_officer": make_user(role=Role.UNIT_OFFICER, unit=tree["b"]),
        "viewer": make_user(role=Role.VIEWER, unit=tree["pc"]),
    }


def _task_data(tree, **changes):
    data = {"number": "1", "title": "Niêm yết công khai thủ tục hành chính tại Bộ phận một cửa",
            "description": "", "expected_output": "Báo cáo kết quả niêm yết", "deadline": date(2024, 8, 15),
            "area_id": None, "unit_id": tree["a"].id, "support_unit_ids": []}
    return data | changes


@pytest.fixture
def plan(people, tree):
    return services.create_plan(people["coordinator"], unit=tree["pc"], number="35/KH-UBND",
                                issued_on=date(2024, 1, 15), title="Kế hoạch cải cách hành chính năm 2024",
                                year=2024)


@pytest.fixture
def task(plan, people, tree):
    task = assignments.add_task(people["coordinator"], plan, _task_data(tree))
    services.issue_plan(people["leader"], plan)
    return task


def _submit_and_confirm(people, task):
    workflow.submit_task(people["officer"], task, note="Đã niêm yết đủ 45 thủ tục")
    workflow.confirm_task(people["head"], task)


def test_the_whole_path_from_assignment_to_acceptance(people, task):
    with at("2024-08-01"):
        workflow.report_progress(people["officer"], task, progress=50, note="Đã rà soát")
        assert task.status == TaskStatus.IN_PROGRESS
        workflow.submit_task(people["officer"], task, note="Hoàn thành")
        assert task.status == TaskStatus.AWAITING_HEAD and task.completed_on is None
        workflow.confirm_task(people["head"], task)
        assert task.status == TaskStatus.SUBMITTED and task.completed_on == date(2024, 8, 1)
        workflow.accept_task(people["coordinator"], task)
    assert task.status == TaskStatus.ACCEPTED
    assert task_timeliness(task, date(2025, 1, 1)) == Timeliness.DONE_ON_TIME
    actions = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "task", AuditEvent.target_id == str(task.id))).scalars().all()
    assert actions == ["task.created", "task.start", "task.progress", "task.submit", "task.confirm", "task.accept"]


@pytest.mark.parametrize("name", sorted(TASK_TRANSITIONS))
def test_every_arrow_refuses_the_states_it_does_not_start_from(people, task, name):
    sources, _target = TASK_TRANSITIONS[name]
    for status in set(TaskStatus) - set(sources):
        task.status = status
        with pytest.raises(InvalidTransition):
            workflow.transition(people["coordinator"], task, name)


def test_a_unit_without_a_head_step_is_complete_when_the_officer_submits(people, task, tree):
    tree["a"].requires_head_confirmation = False
    with at("2024-08-15", "23:59"):
        workflow.submit_task(people["officer"], task, note="Xong")
    assert task.status == TaskStatus.SUBMITTED and task.completed_on == date(2024, 8, 15)


def test_timeliness_on_the_deadline_day_and_from_midnight_after(people, task):
    assert task_timeliness(task, date(2024, 8, 15)) == Timeliness.ON_TRACK
    assert task_timeliness(task, date(2024, 8, 16)) == Timeliness.OVERDUE
    with at("2024-08-15", "23:59"):
        assert _ids(people["leader"], "on_track") == [task.id]
    with at("2024-08-16", "00:00"):
        assert _ids(people["leader"], "overdue") == [task.id]


def _ids(actor, timeliness):
    stmt = filtered_tasks(actor, TaskFilters(timeliness=timeliness))
    return [t.id for t in db.session.execute(stmt).scalars()]


def test_work_confirmed_on_time_but_waiting_for_review_is_never_overdue(people, task):
    with at("2024-08-15", "22:00"):
        _submit_and_confirm(people, task)
    with at("2024-09-30"):
        assert task_timeliness(task, date(2024, 9, 30)) == Timeliness.AWAITING_REVIEW
        assert _ids(people["leader"], "overdue") == []
        workflow.accept_task(people["coordinator"], task)
    assert task_timeliness(task, date(2024, 9, 30)) == Timeliness.DONE_ON_TIME


def test_confirmed_after_midnight_is_done_late(people, task):
    with at("2024-08-15", "23:30"):
        workflow.submit_task(people["officer"], task, note="Xong")
    with at("2024-08-16", "00:05"):
        workflow.confirm_task(people["head"], task)
        workflow.accept_task(people["coordinator"], task)
    assert task_timeliness(task, date(2024, 8, 20)) == Timeliness.DONE_LATE


def test_after_an_approved_extension_timeliness_follows_the_new_date(people, task):
    with at("2024-08-10"):
        request = deadlines.request_extension(people["officer"], task, new_deadline=date(2024, 8, 31),
                                              reason="Chờ phần mềm một cửa nâng cấp")
        deadlines.forward_extension(people["coordinator"], request, opinion="agree")
        deadlines.decide_extension(people["leader"], request, approve=True, note="Đồng ý")
    assert (task.deadline, task.original_deadline) == (date(2024, 8, 31), date(2024, 8, 15))
    assert task_timeliness(task, date(2024, 8, 20)) == Timeliness.ON_TRACK
    with at("2024-08-30"):
        _submit_and_confirm(people, task)
        workflow.accept_task(people["coordinator"], task)
    assert task_timeliness(task, date(2024, 9, 1)) == Timeliness.DONE_ON_TIME


def test_only_a_leader_decides_an_extension(people, task):
    request = deadlines.request_extension(people["officer"], task, new_deadline=date(2024, 9, 1),
                                          reason="Thiếu nhân sự")
    deadlines.forward_extension(people["coordinator"], request, opinion="agree")
    for who in ("officer", "head", "coordinator"):
        with pytest.raises(Forbidden):
            deadlines.decide_extension(people[who], request, approve=True)
    assert task.deadline == date(2024, 8, 15)


def test_returned_work_goes_back_with_the_reason_and_loses_its_completion_date(people, task):
    _submit_and_confirm(people, task)
    workflow.return_task(people["coordinator"], task, reason="Thiếu danh mục thủ tục cấp xã")
    assert task.status == TaskStatus.RETURNED and task.completed_on is None
    note = db.session.execute(select(TaskUpdate.note).where(TaskUpdate.kind == "returned")).scalar_one()
    assert note == "Thiếu danh mục thủ tục cấp xã"
    workflow.report_progress(people["officer"], task, progress=80, note="Bổ sung")
    assert task.status == TaskStatus.IN_PROGRESS


def test_reopen_and_cancel_need_a_reason_and_the_right_role(people, task):
    _submit_and_confirm(people, task)
    workflow.accept_task(people["coordinator"], task)
    with pytest.raises(Forbidden):
        workflow.reopen_task(people["coordinator"], task, reason="Sai số liệu")
    with pytest.raises(ValidationError):
        workflow.reopen_task(people["leader"], task, reason="  ")
    workflow.reopen_task(people["leader"], task, reason="Số liệu chưa khớp báo cáo quý")
    assert task.status == TaskStatus.IN_PROGRESS and task.completed_on is None
    assignments.cancel_task(people["coordinator"], task, reason="Nhiệm vụ không còn phù hợp")
    assert task.status == TaskStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        assignments.cancel_task(people["coordinator"], task, reason="Lần nữa")


@pytest.mark.parametrize("who,call", [
    ("other_officer", lambda p, t: workflow.report_progress(p, t, progress=10, note="")),
    ("officer", lambda p, t: workflow.accept_task(p, t)),
    ("viewer", lambda p, t: workflow.submit_task(p, t, note="")),
    ("officer", lambda p, t: workflow.confirm_task(p, t)),
    ("officer", lambda p, t: assignments.cancel_task(p, t, reason="Không làm")),
])
def test_roles_outside_the_rule_are_refused(people, task, who, call):
    with pytest.raises(Forbidden):
        call(people[who], task)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == TaskStatus.OPEN


@pytest.mark.parametrize("changes,field", [
    ({"deadline": date(2024, 1, 1)}, "deadline"),
    ({"unit_id": None}, "unit_id"),
    ({"number": "1"}, "number"),
    ({"support_unit_ids": "lead"}, "support_unit_ids"),
    ({"title": "  "}, "title"),
])
def test_bad_tasks_are_refused_with_a_message_and_nothing_saved(people, plan, tree, changes, field):
    assignments.add_task(people["coordinator"], plan, _task_data(tree))
    if changes.get("support_unit_ids") == "lead":
        changes = {"number": "2", "support_unit_ids": [tree["a"].id]}
    else:
        changes = {"number": "2"} | changes
    with pytest.raises(ValidationError) as caught:
        assignments.add_task(people["coordinator"], plan, _task_data(tree, **changes))
    assert caught.value.field == field and caught.value.message
    assert db.session.execute(select(Task).where(Task.plan_id == plan.id)).scalars().all().__len__() == 1


def test_progress_over_100_percent_is_refused(people, task):
    with pytest.raises(ValidationError, match="0 đến 100"):
        workflow.report_progress(people["officer"], task, progress=140, note="")
    assert task.progress == 0


def test_plan_rate_counts_done_tasks_over_all_tasks(people, plan, tree):
    made = [assignments.add_task(people["coordinator"], plan, _task_data(tree, number=str(n))) for n in range(1, 4)]
    services.issue_plan(people["leader"], plan)
    with at("2024-08-01"):
        _submit_and_confirm(people, made[0])
        workflow.accept_task(people["coordinator"], made[0])
    with at("2024-08-20"):
        _submit_and_confirm(people, made[1])
        workflow.accept_task(people["coordinator"], made[1])
        progress = plan_progress(plan)
    assert progress["overall"].rate_text == "2/3 (66,7%)"
    assert (progress["overall"].done_on_time, progress["overall"].done_late, progress["overall"].overdue) == (1, 1, 1)


def test_a_supporting_unit_sees_and_comments_but_cannot_submit(people, plan, tree):
    task = assignments.add_task(people["coordinator"], plan, _task_data(tree, support_unit_ids=[tree["b"].id]))
    other = people["other_officer"]
    assert [t.id for t in db.session.execute(filtered_tasks(other, TaskFilters())).scalars()] == [task.id]
    workflow.comment_task(other, task, note="Xã Tân Phước đã gửi số liệu phối hợp")
    with pytest.raises(Forbidden):
        workflow.submit_task(other, task, note="")


def test_copy_plan_to_next_year_makes_a_draft_with_shifted_deadlines(people, task, plan):
    copy = services.copy_plan(people["coordinator"], plan, year=2025)
    copied = db.session.execute(select(Task).where(Task.plan_id == copy.id)).scalar_one()
    assert copy.status == "draft" and copy.year == 2025 and "2025" in copy.title
    assert copied.deadline == date(2025, 8, 15) and copied.status == TaskStatus.OPEN


def test_demo_data_shows_the_seed_plan_at_22_of_24(ctx):
    from inspection.demo.seed import seed_demo
    from models import Plan

    seed_demo("demo")
    plan = db.session.execute(select(Plan).where(Plan.number == "35/KH-UBND")).scalar_one()
    progress = plan_progress(plan)
    assert progress["overall"].rate_text == "22/24 (91,7%)"
    assert (progress["overall"].done_late, progress["overall"].overdue) == (4, 1)
    assert len(progress["areas"]) == 8
    current = db.session.execute(select(Plan).where(Plan.number == "12/KH-UBND")).scalar_one()
    assert plan_progress(current)["overall"].overdue == 2  # due around today
