"""Two people saving the same task at once, on separate connections: never a silent overwrite."""

from datetime import date

import pytest

from inspection.errors import Conflict
from inspection.plans import services, tasks, workflow
from models import Task, User, db
from models.enums import Role
from tests.factories import make_unit, make_user
from tests.test_concurrency import _in_threads

pytestmark = pytest.mark.committed


def _seed():
    root = make_unit(name="Tỉnh Thử Nghiệm", kind="province")
    pc = make_unit(name="Ủy ban nhân dân huyện Thử Nghiệm", kind="peoples_committee", parent=root)
    commune = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    leader = make_user(role=Role.LEADER, unit=pc)
    officer = make_user(role=Role.UNIT_OFFICER, unit=commune)
    db.session.commit()
    task = tasks.add_task(leader, None, {"number": "", "title": "Cập nhật hồ sơ một cửa", "description": "",
                                         "expected_output": "", "deadline": date(2030, 1, 1), "area_id": None,
                                         "unit_id": commune.id, "support_unit_ids": []})
    return task.id, leader.id, officer.id


def test_leader_edit_and_officer_progress_at_once_never_overwrite_silently(committed):
    task_id, leader_id, officer_id = _seed()
    for attempt in range(5):
        outcomes = []

        def save(n, attempt=attempt, outcomes=outcomes):
            task = db.session.get(Task, task_id)
            version = task.version
            try:
                if n == 0:
                    data = services.task_values(task) | {"title": f"Cập nhật hồ sơ một cửa lần {attempt}",
                                                         "description": "", "expected_output": ""}
                    tasks.update_task(db.session.get(User, leader_id), task, data, version=version)
                else:
                    workflow.report_progress(db.session.get(User, officer_id), task,
                                             progress=10 + attempt, note="Đang làm")
                outcomes.append(("saved", n))
            except Conflict:
                outcomes.append(("conflict", n))

        assert _in_threads(committed, save, 2) == []
        db.session.expire_all()
        task = db.session.get(Task, task_id)
        saved = {n for kind, n in outcomes if kind == "saved"}
        # whoever saved is fully there; whoever got a conflict left no trace
        assert (task.title == f"Cập nhật hồ sơ một cửa lần {attempt}") == (0 in saved)
        assert (task.progress == 10 + attempt) == (1 in saved)
        assert saved, outcomes


def test_a_stale_form_is_refused_with_the_current_values(committed):
    task_id, leader_id, officer_id = _seed()
    task = db.session.get(Task, task_id)
    stale_version = task.version
    workflow.report_progress(db.session.get(User, officer_id), task, progress=40, note="Đã rà soát")
    data = services.task_values(task) | {"title": "Tên mới", "description": "", "expected_output": ""}
    with pytest.raises(Conflict) as caught:
        tasks.update_task(db.session.get(User, leader_id), task, data, version=stale_version)
    assert caught.value.current["title"] == "Cập nhật hồ sơ một cửa"
    db.session.expire_all()
    assert db.session.get(Task, task_id).title == "Cập nhật hồ sơ một cửa"
