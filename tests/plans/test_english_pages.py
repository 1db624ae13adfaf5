"""The plan and task pages in English: the change log of a task and the plan's chart titles and
fixed labels are translated when shown (the PDF report keeps its Vietnamese)."""

from datetime import timedelta

from inspection.language.formatting import local_today
from inspection.plans.queries import plan_progress
from models import db
from models.enums import PlanStatus, Role
from tests.factories import Person, make_plan, make_task, make_user

TODAY = local_today()


def test_the_task_log_and_the_plan_charts_read_in_english(app, tree):
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["a"], locale="en")
    leader = make_user(role=Role.LEADER, unit=tree["pc"], locale="en")
    plan = make_plan(unit=tree["pc"], issued_on=TODAY - timedelta(days=10), year=TODAY.year, status=PlanStatus.ISSUED)
    task = make_task(unit=tree["a"], plan=plan, number="1", deadline=TODAY + timedelta(days=20))
    db.session.commit()
    officer, leader = Person(app, officer), Person(app, leader)
    progress = {"progress": "40", "progress_note": "Đã rà soát"}
    assert officer.post(f"/tasks/{task.id}/progress", progress).status_code == 303
    assert officer.post(f"/tasks/{task.id}/extension", {
        "new_deadline": (TODAY + timedelta(days=45)).strftime("%d/%m/%Y"),
        "extension_reason": "Chờ hướng dẫn của Sở Nội vụ"}).status_code == 303

    log = officer.text(f"/tasks/{task.id}")
    assert "Progress 40%" in log and "Reason: Chờ hướng dẫn của Sở Nội vụ" in log
    assert "Tiến độ 40%" not in log and "Lý do:" not in log

    page = leader.text(f"/plans/{plan.id}")
    assert "Completion rate by area" in page and "Completion rate by lead unit" in page
    assert "General tasks" in page and "No area" in page  # the task without a PAR area
    assert "Nhiệm vụ chung" not in page and "Tỷ lệ hoàn thành theo" not in page
    assert plan_progress(plan)["overall"].label == "Toàn kế hoạch"  # the data the PDF report reads


def test_the_plan_filter_names_a_draft_plan_in_the_users_language(app, tree):
    draft = make_plan(unit=tree["pc"], number=None, status=PlanStatus.DRAFT, title="Kế hoạch kiểm tra công vụ")
    db.session.commit()
    for locale, label in (("en", "Draft — Kế hoạch kiểm tra công vụ"), ("vi", "Dự thảo — Kế hoạch kiểm tra công vụ")):
        leader = Person(app, make_user(role=Role.LEADER, unit=tree["pc"], locale=locale))
        assert f'<option value="{draft.id}">{label}</option>' in leader.text("/tasks")
