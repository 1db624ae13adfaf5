"""Plan and task pages through the test client, on PostgreSQL, with CSRF on: the whole path from a
drafted plan to an accepted task, bad input refused with nothing saved, scope and permissions,
a stale edit, list filters."""

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from inspection import build
from inspection.language import formatting
from inspection.language.formatting import local_today
from inspection.plans import assignments as task_services
from inspection.web import rows
from models import Attachment, ExtensionRequest, ParArea, Plan, Task, TaskUpdate, db
from models.enums import PlanStatus, Role, TaskStatus
from tests.factories import (
    PDF_BYTES,
    People,
    make_plan,
    make_task,
    make_task_file,
    make_user,
)
from tests.inspections.test_photos import png_claiming
from tests.s3 import stored_files

TODAY = local_today()


def day(offset: int) -> str:
    """A date `offset` days from today, typed as a user would (dd/mm/yyyy)."""
    return (TODAY + timedelta(days=offset)).strftime("%d/%m/%Y")


@pytest.fixture
def people(app, tree):
    users = {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"], full_name="Nguyễn Văn Lãnh"),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"], full_name="Trần Thị Điều"),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"], full_name="Đặng Văn Cán"),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"], full_name="Võ Thị Thủ"),
        "other_officer": make_user(role=Role.UNIT_OFFICER, unit=tree["b"], full_name="Lý Văn Khác"),
    }
    db.session.commit()
    return People(app, users)


def first_area() -> ParArea:
    return db.session.execute(select(ParArea).order_by(ParArea.position)).scalars().first()


def task_form(tree, **changes) -> dict:
    data = {"number": "1", "area_id": str(first_area().id),
            "title": "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực hộ tịch",
            "expected_output": "Báo cáo kết quả rà soát", "description": "", "unit_id": str(tree["a"].id),
            "support_unit_ids": [str(tree["dept"].id)], "deadline": day(30)}
    return data | changes


def location_id(response) -> int:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:800]
    return int(re.search(r"/(\d+)(?:/edit)?$", response.headers["Location"]).group(1))


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def test_plan_to_accepted_task_and_the_plan_page_shows_the_new_rate(people, tree):
    coordinator, leader, officer, head = (people[k] for k in ("coordinator", "leader", "officer", "head"))
    plan_id = location_id(coordinator.post("/plans/new", {
        "number": "35/KH-UBND", "issued_on": day(-10), "title": "Kế hoạch cải cách hành chính năm nay",
        "year": str(TODAY.year), "unit_id": str(tree["pc"].id), "area_ids": [str(first_area().id)]}))
    first = coordinator.post(f"/plans/{plan_id}/tasks/new", task_form(tree))
    assert first.status_code == 303
    second = coordinator.post(f"/plans/{plan_id}/tasks/new", task_form(
        tree, number="2", title="Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", support_unit_ids=[]))
    assert second.status_code == 303
    assert "Dự thảo" in coordinator.text(f"/plans/{plan_id}")

    assert leader.post(f"/plans/{plan_id}/issue").status_code == 303
    plan = db.session.get(Plan, plan_id)
    assert plan.status == PlanStatus.ISSUED
    page = leader.text(f"/plans/{plan_id}")
    assert f"Kế hoạch số 35/KH-UBND ngày {day(-10)}" in page
    assert "Trên tổng số: hoàn thành 0/2 nhiệm vụ (0,0%)" in page and "Đã đến hạn: hoàn thành 0/0" in page

    task = db.session.execute(select(Task).where(Task.plan_id == plan_id, Task.number == "1")).scalar_one()
    response = officer.post(f"/tasks/{task.id}/progress", {
        "progress": "60", "progress_note": "Đã rà soát 12/20 thủ tục",
        "progress_files": (io.BytesIO(PDF_BYTES), "bao-cao-tien-do.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = officer.text(f"/tasks/{task.id}")
    assert "Đã rà soát 12/20 thủ tục" in page and "60%" in page
    link = re.search(r'href="(/tasks/files/\d+)">bao-cao-tien-do.pdf', page).group(1)
    assert officer.get(link).data == PDF_BYTES

    assert officer.post(f"/tasks/{task.id}/submit", {"result_note": "Đã hoàn thành rà soát"}).status_code == 303
    assert reload(task).status == TaskStatus.AWAITING_HEAD
    assert head.post(f"/tasks/{task.id}/confirm").status_code == 303
    assert reload(task).status == TaskStatus.SUBMITTED
    assert "Chờ duyệt" in coordinator.text(f"/tasks/{task.id}")
    assert coordinator.post(f"/tasks/{task.id}/accept").status_code == 303
    assert reload(task).status == TaskStatus.ACCEPTED

    page = leader.text(f"/plans/{plan_id}")
    assert "Trên tổng số: hoàn thành 1/2 nhiệm vụ (50,0%)" in page
    assert "1/2 (50,0%)" in page  # the per-area and per-unit tables
    assert "<svg" in page and "Hoàn thành đúng hạn" in page


@pytest.fixture
def plan(people, tree):
    plan = make_plan(unit=tree["pc"], issued_on=TODAY - timedelta(days=10), year=TODAY.year)
    db.session.commit()
    return plan


@pytest.mark.parametrize(("changes", "message"), [
    ({"deadline": day(-11)}, f"Thời hạn không được trước ngày kế hoạch ({day(-10)})"),
    ({"unit_id": ""}, "Chọn đơn vị chủ trì."),
    ({"support_unit_ids": ["LEAD"]}, "Đơn vị phối hợp không được trùng đơn vị chủ trì."),
    ({"deadline": "31/02/2024"}, "Ngày “31/02/2024” không có thật hoặc sai định dạng"),
    ({"title": ""}, "Nhập nội dung nhiệm vụ."),
])
def test_bad_task_input_is_refused_with_a_message_and_nothing_saved(people, tree, plan, changes, message):
    if changes.get("support_unit_ids") == ["LEAD"]:
        changes = {"support_unit_ids": [str(tree["a"].id)]}
    response = people["coordinator"].post(f"/plans/{plan.id}/tasks/new", task_form(tree, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Task, Task.plan_id == plan.id) == 0


def test_a_duplicate_task_number_is_refused(people, tree, plan):
    make_task(unit=tree["a"], plan=plan, number="1")
    db.session.commit()
    response = people["coordinator"].post(f"/plans/{plan.id}/tasks/new", task_form(tree, number="1"))
    assert response.status_code == 422
    assert "Kế hoạch đã có nhiệm vụ số 1." in response.get_data(as_text=True)
    assert count(Task, Task.plan_id == plan.id) == 1


def test_an_impossible_plan_date_is_refused(people, tree):
    response = people["coordinator"].post("/plans/new", {
        "number": "36/KH-UBND", "issued_on": "31/02/2024", "title": "Kế hoạch kiểm tra công vụ",
        "year": "2024", "unit_id": str(tree["pc"].id)})
    assert response.status_code == 422
    assert "Ngày “31/02/2024” không có thật" in response.get_data(as_text=True)
    assert count(Plan, Plan.title == "Kế hoạch kiểm tra công vụ") == 0


@pytest.fixture
def task(plan, tree):
    plan.status = PlanStatus.ISSUED
    task = make_task(unit=tree["a"], plan=plan, number="1", deadline=TODAY + timedelta(days=20),
                     title="Khắc phục tồn tại sau kiểm tra công vụ năm trước")
    db.session.commit()
    return task


def test_a_submitted_task_reads_100_percent_with_the_officers_last_figure_named(people, task):
    officer, head = people["officer"], people["head"]
    reported = officer.post(f"/tasks/{task.id}/progress", {"progress": "60", "progress_note": "Đã rà soát"})
    assert reported.status_code == 303
    assert officer.post(f"/tasks/{task.id}/submit", {"result_note": "Đã xong"}).status_code == 303
    for status in (TaskStatus.AWAITING_HEAD, TaskStatus.SUBMITTED):
        page = head.text(f"/tasks/{task.id}")
        assert reload(task).status == status and reload(task).progress == 60
        assert '<strong>100%</strong>' in page and "báo cáo tiến độ gần nhất: 60%" in page
        listed = head.text("/tasks")
        assert 'value="100">100%</progress> 100%' in listed and "60%" not in listed
        if status == TaskStatus.AWAITING_HEAD:
            assert head.post(f"/tasks/{task.id}/confirm").status_code == 303


def test_a_progress_of_140_percent_is_refused(people, task):
    response = people["officer"].post(f"/tasks/{task.id}/progress", {"progress": "140", "progress_note": "Vượt mức"})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{task.id}"  # never the POST address
    page = people["officer"].text(f"/tasks/{task.id}")  # the form refilled with what was typed, and why
    assert "Tiến độ phải từ 0 đến 100%." in page and 'value="140"' in page and "Vượt mức" in page
    task = reload(task)
    assert task.progress == 0 and task.status == TaskStatus.OPEN
    assert count(TaskUpdate, TaskUpdate.task_id == task.id) == 0


def test_a_refused_report_keeps_no_file(app, people, task):
    task.status = TaskStatus.AWAITING_HEAD
    db.session.commit()
    files_before = stored_files(app)
    response = people["officer"].post(f"/tasks/{task.id}/progress", {
        "progress": "80", "progress_files": (io.BytesIO(PDF_BYTES), "muon.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = people["officer"].text(f"/tasks/{task.id}")
    assert "Nhiệm vụ đã nộp kết quả hoặc đã kết thúc, không cập nhật tiến độ." in page
    assert count(Attachment, Attachment.filename == "muon.pdf") == 0
    assert stored_files(app) <= files_before


def test_an_image_over_60_megapixel_is_refused_as_a_progress_file(app, people, task):
    files_before = stored_files(app)
    response = people["officer"].post(f"/tasks/{task.id}/progress", {
        "progress": "80", "progress_files": (io.BytesIO(png_claiming(20_000, 20_000)), "so-do.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "tối đa 60 megapixel" in response.get_data(as_text=True)
    assert count(Attachment, Attachment.filename == "so-do.png") == 0 and reload(task).progress == 0
    assert stored_files(app) <= files_before


def test_an_officer_of_another_commune_gets_404(people, task):
    other = people["other_officer"]
    attachment = make_task_file(task=task, author=people["officer"].user)
    db.session.commit()
    assert other.get(f"/tasks/{task.id}").status_code == 404
    assert other.post(f"/tasks/{task.id}/progress", {"progress": "50"}).status_code == 404
    assert other.get(f"/tasks/files/{attachment.id}").status_code == 404
    assert "Khắc phục tồn tại" not in other.text("/tasks")
    assert reload(task).progress == 0


def test_an_officer_cannot_accept(people, task):
    task.status, task.completed_on = TaskStatus.SUBMITTED, TODAY
    db.session.commit()
    officer = people["officer"]
    assert "Chấp nhận kết quả" not in officer.text(f"/tasks/{task.id}")
    assert officer.post(f"/tasks/{task.id}/accept").status_code == 403
    assert reload(task).status == TaskStatus.SUBMITTED


def test_a_stale_edit_shows_the_conflict_with_the_current_values(people, tree, task):
    coordinator, leader = people["coordinator"], people["leader"]
    form = coordinator.text(f"/tasks/{task.id}/edit")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    data = task_form(tree, title="Khắc phục tồn tại (bản của đầu mối)", deadline=day(25), version=version)
    task_services.update_task(leader.user, task, task_form(tree, title="Khắc phục tồn tại (bản của lãnh đạo)",
                                                           unit_id=tree["a"].id, support_unit_ids=[],
                                                           area_id=None, deadline=TODAY + timedelta(days=40)),
                              version=task.version)
    response = coordinator.post(f"/tasks/{task.id}/edit", data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Giá trị hiện tại do người khác vừa lưu" in page
    assert "Khắc phục tồn tại (bản của lãnh đạo)" in page and day(40) in page
    assert reload(task).title == "Khắc phục tồn tại (bản của lãnh đạo)"


def test_filters_find_overdue_work_and_search_ignores_diacritics(people, tree, task):
    plan = db.session.get(Plan, task.plan_id)
    make_task(unit=tree["a"], plan=plan, title="Niêm yết công khai thủ tục hành chính",
              deadline=TODAY - timedelta(days=3))
    db.session.commit()
    coordinator = people["coordinator"]
    overdue = coordinator.text("/tasks?timeliness=overdue")
    assert "Niêm yết công khai thủ tục hành chính" in overdue and "Khắc phục tồn tại" not in overdue
    found = coordinator.text("/tasks?q=khac+phuc")
    assert "Khắc phục tồn tại sau kiểm tra công vụ năm trước" in found and "Niêm yết công khai" not in found
    bad = coordinator.get("/tasks?due_from=31/02/2024")
    assert "Ngày “31/02/2024” không có thật" in bad.get_data(as_text=True)


def test_an_officer_sees_the_tasks_their_unit_leads_or_supports(people, tree, plan):
    make_task(unit=tree["dept"], plan=plan, title="Xây dựng kế hoạch tuyên truyền CCHC", support_units=[tree["a"]])
    make_task(unit=tree["b"], plan=plan, title="Kiểm tra công vụ tại xã Tân Phước")
    db.session.commit()
    page = people["officer"].text("/tasks")
    assert "Nhiệm vụ của đơn vị tôi" in page
    assert "Xây dựng kế hoạch tuyên truyền CCHC" in page and "Kiểm tra công vụ tại xã Tân Phước" not in page
    plan_page = people["officer"].text(f"/plans/{plan.id}")
    assert "Xây dựng kế hoạch tuyên truyền CCHC" in plan_page and "Kiểm tra công vụ tại xã Tân Phước" not in plan_page
    assert "Tiến độ theo lĩnh vực" in plan_page and "Tiến độ theo đơn vị chủ trì" not in plan_page


def test_a_commune_officer_pages_through_led_and_supported_tasks_in_deadline_order(app, monkeypatch, people,
                                                                                    tree, plan):
    """A commune's list is cut from its own tasks first (queries.list_tasks): every page holds the
    next tasks by deadline, led or supported, filtered, each once, with the supporting units."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    led = [make_task(unit=tree["a"], plan=plan, title=f"Nhiệm vụ xã chủ trì {n}", deadline=TODAY + timedelta(days=n),
                     status=TaskStatus.SUBMITTED if n == 3 else TaskStatus.OPEN) for n in (1, 3, 5)]
    supported = [make_task(unit=tree["dept"], plan=plan, title=f"Nhiệm vụ xã phối hợp {n}",
                           deadline=TODAY + timedelta(days=n), support_units=[tree["a"], tree["b"]]) for n in (2, 4)]
    make_task(unit=tree["b"], plan=plan, title="Nhiệm vụ của xã khác", deadline=TODAY)
    db.session.commit()

    def titles(url):
        seen, pages = [], 0
        while url:
            html = people["officer"].text(url)
            seen += re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', html)
            found = re.search(r'href="(/tasks\?[^"]*after=[^"]+)"', html)
            url, pages = found.group(1).replace("&amp;", "&") if found else None, pages + 1
        return seen, pages

    every, pages = titles("/tasks")
    assert every == [t.title for t in sorted(led + supported, key=lambda t: t.deadline)] and pages == 3
    assert "Phối hợp: " + "; ".join(sorted([tree["a"].name, tree["b"].name])) in people["officer"].text(
        "/tasks?timeliness=on_track")
    awaiting, _ = titles("/tasks?timeliness=awaiting_review")
    assert awaiting == ["Nhiệm vụ xã chủ trì 3"]
    open_work, _ = titles("/tasks?status=open&sort=newest&q=phoi+hop")
    assert open_work == ["Nhiệm vụ xã phối hợp 4", "Nhiệm vụ xã phối hợp 2"]


def test_a_remembered_task_row_shows_the_task_as_it_is_now(monkeypatch, people, tree, plan):
    """A row of the task list is drawn once and remembered (inspection/web/rows.py): the list still
    shows a new progress, a task that fell overdue at midnight, and the row in English."""
    task = make_task(unit=tree["a"], plan=plan, title="Rà soát quy trình nội bộ", deadline=TODAY)
    db.session.commit()
    officer = people["officer"]

    def row():
        html = officer.text("/tasks")
        return re.search(rf'<tr>\s*<td><a href="/tasks/{task.id}">.*?</tr>', html, re.S).group(0)

    assert "Trong hạn" in row() and "0%" in row()
    officer.post(f"/tasks/{task.id}/progress", {"progress": "60", "progress_note": "Đã rà soát 6/10 quy trình"})
    assert 'value="60"' in row() and "Trong hạn" in row()

    class Tomorrow(datetime):  # the clock passes midnight
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=1)

    monkeypatch.setattr(formatting, "datetime", Tomorrow)
    assert "Quá hạn chưa hoàn thành" in row() and 'value="60"' in row()
    officer.post("/language/en", {"next": "/tasks"})
    assert "Overdue, not completed" in row() and "Quá hạn" not in row()


def test_a_new_release_never_shows_the_rows_the_last_one_drew(monkeypatch, redis_client, people, tree, plan):
    """Rows shared in Redis (inspection/web/rows.py) are keyed by the release (build.fingerprint(): the
    code, templates and catalogs): after a deploy that changed how a row is drawn, the list shows
    the new drawing at once, never the last release's HTML kept for two hours."""
    task = make_task(unit=tree["a"], plan=plan, title="Rà soát quy trình nội bộ", deadline=TODAY)
    db.session.commit()

    def row():
        rows._drawn.clear()  # a freshly started web process: only Redis remembers
        html = people["officer"].text("/tasks")
        return re.search(rf'<tr>\s*<td><a href="/tasks/{task.id}">.*?</tr>', html, re.S).group(0)

    assert "Trong hạn" in row()
    shared = redis_client.keys("*row:*")
    assert shared and all(f":{build.fingerprint()}:".encode() in key for key in shared)
    for key in shared:  # what the last release drew, still in Redis after the deploy
        redis_client.set(key, f'<tr><td><a href="/tasks/{task.id}">drawn by the last release</a></td></tr>'.encode())
    assert "drawn by the last release" in row()  # the same release reads it back (the cache works)
    monkeypatch.setattr(build, "fingerprint", lambda: "next-release")
    assert "drawn by the last release" not in row() and "Trong hạn" in row()


def test_a_supported_task_moves_in_the_communes_list_when_its_deadline_changes(app, monkeypatch, people,
                                                                               tree, plan):
    """A commune's supported tasks are paged by the deadline task_support_unit keeps (triggers copy
    it): a deadline changed through the service, or by a bulk statement, moves the task."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first, second, third = (make_task(unit=tree["dept"], plan=plan, title=f"Nhiệm vụ phối hợp {n}",
                                      deadline=TODAY + timedelta(days=2 * n), support_units=[tree["a"]])
                            for n in (1, 2, 3))
    db.session.commit()

    def top():
        return re.search(r'<a href="/tasks/\d+">([^<]+)</a>', people["officer"].text("/tasks")).group(1)

    assert top() == first.title
    form = task_form(tree, title=first.title, unit_id=str(tree["dept"].id), support_unit_ids=[str(tree["a"].id)],
                     number="7", deadline=day(8), version=str(first.version))
    assert people["coordinator"].post(f"/tasks/{first.id}/edit", form).status_code == 303
    assert top() == second.title
    db.session.execute(update(Task).where(Task.id == second.id).values(deadline=TODAY + timedelta(days=10)))
    db.session.commit()
    assert top() == third.title  # 6 days, then the first (8) and the second (10)


def test_a_commune_officers_plan_filter_offers_the_plans_of_its_led_and_supported_tasks(people, tree):
    """The plan select of a commune's task list (a statement built once for every commune, the
    commune's units bound when it runs) lists the plans the commune takes part in, and no other."""
    led, supported, other = (make_plan(unit=tree["dept"], number=f"{n}/KH-UBND", status=PlanStatus.ISSUED,
                                       title=f"Kế hoạch {word}") for n, word in ((11, "xã chủ trì"),
                                                                                 (12, "xã phối hợp"), (13, "xã khác")))
    make_task(unit=tree["a"], plan=led, title="Nhiệm vụ xã chủ trì")
    make_task(unit=tree["dept"], plan=supported, title="Nhiệm vụ xã phối hợp", support_units=[tree["a"]])
    make_task(unit=tree["b"], plan=other, title="Nhiệm vụ của xã khác")
    db.session.commit()
    select_box = re.search(r'<select[^>]*name="plan_id".*?</select>', people["officer"].text("/tasks"), re.S).group(0)
    assert "11/KH-UBND — Kế hoạch xã chủ trì" in select_box and "12/KH-UBND — Kế hoạch xã phối hợp" in select_box
    assert "13/KH-UBND" not in select_box
    units = re.search(r'<select[^>]*name="unit_id".*?</select>', people["officer"].text("/tasks"), re.S).group(0)
    assert tree["a"].name in units and tree["b"].name not in units and tree["dept"].name not in units
    assert "13/KH-UBND" in re.search(r'<select[^>]*name="plan_id".*?</select>', people["leader"].text("/tasks"),
                                     re.S).group(0)


def test_an_extension_is_requested_by_the_unit_and_decided_by_a_leader(people, task):
    old_deadline = task.deadline
    response = people["officer"].post(f"/tasks/{task.id}/extension", {
        "new_deadline": day(45), "extension_reason": "Chờ hướng dẫn của Sở Nội vụ"})
    assert response.status_code == 303
    request = db.session.execute(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)).scalar_one()
    assert people["officer"].post(f"/tasks/{task.id}/extension/decide", {
        "request_id": str(request.id), "decision": "approve"}).status_code == 403
    assert people["coordinator"].post(f"/tasks/{task.id}/extension/forward", {
        "request_id": str(request.id), "opinion": "agree"}).status_code == 303
    assert people["leader"].post(f"/tasks/{task.id}/extension/decide", {
        "request_id": str(request.id), "decision": "approve"}).status_code == 303
    page = people["officer"].text(f"/tasks/{task.id}")
    assert f"Hạn ban đầu: {old_deadline:%d/%m/%Y}; đã gia hạn đến {day(45)}" in page


def test_return_and_cancel_need_a_reason(people, task):
    task.status, task.completed_on = TaskStatus.SUBMITTED, TODAY
    db.session.commit()
    coordinator = people["coordinator"]
    response = coordinator.post(f"/tasks/{task.id}/return", {"return_reason": ""})
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{task.id}#return-form"
    page = coordinator.text(f"/tasks/{task.id}")  # the task page, the form open with the message, once
    assert re.search(r'<details class="action-block" id="return-form" open>', page) and "Nhập lý do trả lại." in page
    assert "Nhập lý do trả lại." not in coordinator.text(f"/tasks/{task.id}")
    assert reload(task).status == TaskStatus.SUBMITTED
    assert coordinator.post(f"/tasks/{task.id}/return", {"return_reason": "Thiếu danh mục"}).status_code == 303
    assert reload(task).status == TaskStatus.RETURNED
    page = people["officer"].text(f"/tasks/{task.id}")  # the resubmit form first, open, the reason above it
    resubmit = page.index('id="resubmit"')
    assert resubmit < page.index("task-info")
    assert resubmit < page.index("Thiếu danh mục") < page.index('name="result_note"')
    assert page.count('name="result_note"') == 1 and "Gửi lại kết quả" in page
    response = coordinator.post(f"/tasks/{task.id}/cancel", {"cancel_reason": ""})
    assert response.status_code == 303 and "Nhập lý do hủy nhiệm vụ." in coordinator.text(response.headers["Location"])
    assert reload(task).status == TaskStatus.RETURNED


def test_a_leader_assigns_an_adhoc_task(people, tree):
    response = people["leader"].post("/tasks/new", task_form(
        tree, number="", area_id="", title="Báo cáo UBND huyện kết quả rà soát trước ngày 01/9",
        support_unit_ids=[]))
    task = db.session.get(Task, location_id(response))
    assert task.plan_id is None and task.unit_id == tree["a"].id
    assert "Báo cáo UBND huyện kết quả rà soát" in people["officer"].text("/tasks?adhoc=y")


def test_the_plan_list_filters_by_year_and_searches_without_diacritics(people, tree):
    make_plan(unit=tree["pc"], title="Kế hoạch kiểm tra cải cách hành chính năm 2024", year=2024)
    make_plan(unit=tree["pc"], title="Kế hoạch tuyên truyền cải cách hành chính năm 2023", year=2023)
    db.session.commit()
    coordinator = people["coordinator"]
    found = coordinator.text("/plans?q=kiem+tra")
    assert "kiểm tra cải cách" in found and "tuyên truyền" not in found
    by_year = coordinator.text("/plans?year=2023")
    assert "tuyên truyền" in by_year and "kiểm tra cải cách" not in by_year
