"""People saving the same task at once, through the real pages, each request on its own
connection: never a silent overwrite. Whoever loses is told, with the values now saved; the
winner's values are all there and the loser's left no trace (no row, no audit event); the version
grows by exactly the number of saves."""

import os
from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select

from inspection.errors import Conflict
from inspection.plans import assignments, workflow
from models import AuditEvent, Task, TaskUpdate, User, db
from models.enums import Role
from tests.factories import csrf_token, make_unit, make_user, sign_in
from tests.threads import at_once

pytestmark = pytest.mark.committed
ROUNDS = int(os.environ.get("RACE_ROUNDS", "30"))  # RACE_ROUNDS=1000 for a long run
STALE = "Bản ghi"  # both conflict messages (stale form, lost flush) begin with it
TITLE = "Cập nhật hồ sơ một cửa"


@pytest.fixture
def seeded(committed):
    root = make_unit(name="Tỉnh Thử Nghiệm", kind="province")
    pc = make_unit(name="Ủy ban nhân dân tỉnh Thử Nghiệm", kind="peoples_committee", parent=root)
    commune = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    people = {"leader": make_user(role=Role.LEADER, unit=pc),
              "coordinator": make_user(role=Role.COORDINATOR, unit=pc),
              "officer": make_user(role=Role.UNIT_OFFICER, unit=commune)}
    db.session.commit()
    task = assignments.add_task(people["leader"], None, {
        "number": "", "title": TITLE, "description": "", "expected_output": "", "deadline": date(2030, 1, 1),
        "area_id": None, "unit_id": commune.id, "support_unit_ids": []})
    workflow.report_progress(people["officer"], task, progress=1, note="Bắt đầu")  # đang thực hiện
    return task.id, {role: user.id for role, user in people.items()}


def _browser(app, user_id: int):
    client = app.test_client()
    sign_in(client, db.session.get(User, user_id))
    return client, csrf_token(client, "/tasks")


def _task(task_id: int) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _edit(browser, task: Task, title: str, version: int):
    """The leader's edit form, as the page drew it at `version`, with a new title."""
    client, token = browser
    data = {"csrf_token": token, "version": str(version), "number": task.number, "area_id": "",
            "title": title, "description": "", "expected_output": "", "unit_id": str(task.unit_id),
            "deadline": task.deadline.strftime("%d/%m/%Y")}
    return partial(client.post, f"/tasks/{task.id}/edit", data=data)


def _saved_edit(response, title_now: str) -> bool:
    """A redirect is a save; anything else must be the 409 page showing what is saved now."""
    if response.status_code in (302, 303):
        return True
    html = response.get_data(as_text=True)
    assert response.status_code == 409, html[:500]
    assert STALE in html and title_now in html.split('class="conflict')[1]
    return False


def test_leader_edit_and_officer_progress_at_once_never_overwrite_silently(committed, seeded):
    task_id, ids = seeded
    leader, officer = _browser(committed, ids["leader"]), _browser(committed, ids["officer"])
    saves = conflicts = 0
    wins = {"leader": 0, "officer": 0}
    for n in range(ROUNDS):
        task = _task(task_id)
        version, title, percent = task.version, f"{TITLE} (lần sửa {n})", 2 + n % 97  # never last round's
        client, token = officer
        progress = partial(client.post, f"/tasks/{task_id}/progress", data={
            "csrf_token": token, "progress": str(percent), "progress_note": f"Báo cáo lần {n}"})
        edited, reported = at_once(_edit(leader, task, title, version), progress)

        task = _task(task_id)
        leader_saved = _saved_edit(edited, task.title)
        assert reported.status_code == 303
        officer_saved = _count(TaskUpdate, TaskUpdate.note == f"Báo cáo lần {n}") == 1
        if not officer_saved:  # the page the officer is sent back to says so, and shows the task as saved now
            page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
            assert STALE in page and task.title in page
        assert leader_saved or officer_saved
        # each save is wholly there, each refused save left nothing
        assert (task.title == title) == leader_saved
        assert (task.progress == percent) == officer_saved
        assert task.version == version + leader_saved + officer_saved
        saves += leader_saved + officer_saved
        wins["leader"], wins["officer"] = wins["leader"] + leader_saved, wins["officer"] + officer_saved
        conflicts += (not leader_saved) + (not officer_saved)

    assert _count(AuditEvent, AuditEvent.action == "task.updated") + _count(
        AuditEvent, AuditEvent.action == "task.progress") == saves + 1  # + the progress of the fixture
    assert conflicts > 0, "the two saves never overlapped: the race was not exercised"
    print(f"\n{ROUNDS} rounds: {saves} saves (leader {wins['leader']}, officer {wins['officer']}), "
          f"{conflicts} refused with the current values")


def test_two_editors_of_the_same_title_from_one_version_exactly_one_wins(committed, seeded):
    """A leader and a coordinator both edit the title from the page they opened at the same
    version: one save, one 409 page showing the winner's title, every time."""
    task_id, ids = seeded
    leader, coordinator = _browser(committed, ids["leader"]), _browser(committed, ids["coordinator"])
    for n in range(ROUNDS):
        task = _task(task_id)
        version = task.version
        titles = (f"{TITLE} — bản của lãnh đạo {n}", f"{TITLE} — bản của chuyên viên đầu mối {n}")
        answers = at_once(_edit(leader, task, titles[0], version), _edit(coordinator, task, titles[1], version))

        task = _task(task_id)
        saved = [_saved_edit(answer, task.title) for answer in answers]
        assert saved.count(True) == 1, saved
        assert task.title == titles[saved.index(True)]
        assert task.version == version + 1
    assert _count(AuditEvent, AuditEvent.action == "task.updated") == ROUNDS


def test_a_stale_form_is_refused_with_the_current_values(committed, seeded):
    task_id, ids = seeded
    task = _task(task_id)
    stale_version = task.version
    workflow.report_progress(db.session.get(User, ids["officer"]), task, progress=40, note="Đã rà soát")
    data = assignments.task_values(task) | {"title": "Tên mới", "description": "", "expected_output": ""}
    with pytest.raises(Conflict) as caught:
        assignments.update_task(db.session.get(User, ids["leader"]), task, data, version=stale_version)
    assert caught.value.current["title"] == TITLE
    assert _task(task_id).title == TITLE
