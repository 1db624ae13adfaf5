"""Inspection pages through the test client, on PostgreSQL, with CSRF on: the surprise rule on
every page (lists, calendar, status counts, plan progress, search, the page itself), scheduling
and annual plans through the forms with bad input, the whole desktop flow from start to the
leader's conclusion, and the team rules."""

import hashlib
import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspection.inspections import fieldwork, scheduling
from inspection.inspections.forms import working_day
from inspection.language.formatting import local_today
from models import (
    CheckResult,
    Conclusion,
    Correction,
    Document,
    Finding,
    Inspection,
    InspectionChange,
    InspectionPlan,
    RemediationAction,
    Report,
    db,
)
from models.enums import InspectionKind, InspectionStatus, Role
from tests import factories
from tests.factories import People, make_photo, make_template, make_user

TODAY = local_today()


def day(offset: int) -> str:
    """A date `offset` days from today, typed as a user would (dd/mm/yyyy)."""
    return (TODAY + timedelta(days=offset)).strftime("%d/%m/%Y")


@pytest.fixture
def people(app, tree):
    users = {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"], full_name="Nguyễn Văn Lãnh"),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"], full_name="Trần Thị Điều"),
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Phạm Văn Kiểm"),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Lê Thị Thành"),
        "outsider": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Hồ Văn Ngoài"),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"], full_name="Đặng Văn Cán"),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"], full_name="Võ Thị Thủ"),
        "viewer": make_user(role=Role.VIEWER, unit=tree["pc"], full_name="Huỳnh Thị Xem"),
        "other_officer": make_user(role=Role.UNIT_OFFICER, unit=tree["b"], full_name="Lý Văn Khác"),
    }
    db.session.commit()
    return People(app, users)


@pytest.fixture
def template(tree):
    checklist = make_template(unit=tree["pc"], name="Kiểm tra hoạt động của Bộ phận Một cửa")
    db.session.commit()
    return checklist


def schedule_data(tree, people, template, **changes) -> dict:
    data = {"ordering_unit_id": str(tree["pc"].id), "unit_id": str(tree["a"].id), "kind": "scheduled",
            "number": "05/ĐKT", "decision_ref": "Quyết định số 120/QĐ-UBND", "title": "",
            "start_on": day(0), "end_on": "", "template_id": str(template.id),
            "lead_id": str(people.users["inspector"].id), "member_ids": [str(people.users["member"].id)]}
    return data | changes


def created_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return int(re.search(r"/(\d+)(?:#\w+)?$", response.headers["Location"]).group(1))


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def reload(record):
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def month_of(offset: int = 0) -> str:
    return f"{TODAY + timedelta(days=offset):%Y-%m}"


# ---- the surprise rule on every page

@pytest.fixture
def surprise(people, tree, template):
    """An unstarted surprise inspection of xã An Phước ordered by the leader through the form, and
    an announced scheduled one of the same commune the same day."""
    url = "/inspections/new"
    surprise_id = created_id(people["leader"].post(url, schedule_data(
        tree, people, template, kind="surprise", start_on=day(2), number="02/KTĐX",
        title="Kiểm tra đột xuất Bộ phận Một cửa xã An Phước")))
    visible_id = created_id(people["coordinator"].post(url, schedule_data(
        tree, people, template, start_on=day(2), title="Kiểm tra khắc phục tồn tại năm trước")))
    assert people["coordinator"].post(f"/inspections/{visible_id}/announce").status_code == 303
    return db.session.get(Inspection, surprise_id), db.session.get(Inspection, visible_id)


UNIT_SIDE = ("officer", "head", "viewer")


def test_an_unstarted_surprise_inspection_is_on_no_page_of_its_unit(people, surprise):
    hidden, shown = surprise
    assert hidden.kind == InspectionKind.SURPRISE and hidden.status == InspectionStatus.PLANNED
    pages = ["/inspections", "/inspections?q=dot+xuat", "/inspections?kind=surprise",
             f"/inspections?month={month_of(2)}", f"/inspections/calendar?month={month_of(2)}"]
    for who in UNIT_SIDE:
        for url in pages:
            assert f"/inspections/{hidden.id}\"" not in people[who].text(url), (who, url)
        assert people[who].get(f"/inspections/{hidden.id}").status_code == 404, who
        listing = people[who].text("/inspections")
        assert f"/inspections/{shown.id}\"" in listing, who  # the announced one is there
        assert "Tất cả <span class=\"chip-count\">1</span>" in listing, who  # and counted alone
    for who in ("leader", "coordinator", "inspector", "member"):
        for url in ("/inspections", "/inspections?q=dot+xuat", f"/inspections/calendar?month={month_of(2)}"):
            assert f"/inspections/{hidden.id}\"" in people[who].text(url), (who, url)
    assert "Tất cả <span class=\"chip-count\">2</span>" in people["coordinator"].text("/inspections")


def test_a_surprise_inspection_appears_to_its_unit_once_the_team_starts(people, tree, template):
    start = TODAY
    hidden = scheduling.schedule_inspection(
        people.users["leader"], ordering_unit=tree["pc"], target=tree["a"], kind=InspectionKind.SURPRISE,
        start_on=start, template=template, lead_id=people.users["inspector"].id)
    assert people["officer"].get(f"/inspections/{hidden.id}").status_code == 404
    started = people["inspector"].post(f"/inspections/{hidden.id}/start", {"location": "Trụ sở UBND xã"})
    assert started.status_code == 303
    for who in UNIT_SIDE:
        assert "Đang kiểm tra" in people[who].text(f"/inspections/{hidden.id}"), who
        assert f"/inspections/{hidden.id}\"" in people[who].text(f"/inspections/calendar?month={month_of()}"), who
    assert people["other_officer"].get(f"/inspections/{hidden.id}").status_code == 404


def test_plan_progress_counts_leave_out_an_unstarted_surprise_inspection(people, tree, template):
    response = people["coordinator"].post("/inspection-plans/new", plan_data(
        tree, people, template, unit_ids=[str(tree["dept"].id), str(tree["b"].id)]))
    plan = db.session.get(InspectionPlan, created_id(response))
    for planned in scheduling.inspections_of(plan):
        scheduling.announce_inspection(people.users["coordinator"], planned)
    scheduling.schedule_inspection(people.users["leader"], ordering_unit=tree["pc"], target=tree["a"],
                                   kind=InspectionKind.SURPRISE, start_on=TODAY + timedelta(days=3),
                                   template=template, lead_id=people.users["inspector"].id, plan=plan)
    assert "Đã kiểm tra 0/3 đơn vị; cấp xã 0/2" in people["leader"].text(f"/inspection-plans/{plan.id}")
    viewer_page = people["viewer"].text(f"/inspection-plans/{plan.id}")
    assert "Đã kiểm tra 0/2 đơn vị; cấp xã 0/1" in viewer_page
    assert tree["a"].name not in viewer_page
    assert "cấp xã 0/1" in people["viewer"].text("/inspection-plans")
    assert people["officer"].get(f"/inspection-plans/{plan.id}").status_code == 404  # the PC's plan


# ---- scheduling through the forms

def test_the_coordinator_schedules_an_inspection_and_the_team_sees_it(people, tree, template):
    form = people["coordinator"].text("/inspections/new")
    assert 'value="scheduled"' in form and 'value="surprise"' not in form
    assert 'value="surprise"' in people["leader"].text("/inspections/new")
    inspection_id = created_id(people["coordinator"].post("/inspections/new", schedule_data(
        tree, people, template, end_on=day(1))))
    inspection = db.session.get(Inspection, inspection_id)
    assert (inspection.start_on, inspection.end_on) == (TODAY, TODAY + timedelta(days=1))
    assert inspection.title == f"Kiểm tra công tác cải cách hành chính tại {tree['a'].name}"
    page = people["inspector"].text(f"/inspections/{inspection_id}")
    assert "Phạm Văn Kiểm" in page and "Trưởng đoàn" in page and "Lê Thị Thành" in page
    assert "Quyết định số 120/QĐ-UBND" in page
    assert people["officer"].get(f"/inspections/{inspection_id}").status_code == 404  # not announced yet


@pytest.mark.parametrize(("changes", "field_message"), [
    ({"start_on": day(5), "end_on": day(3)}, "Ngày kết thúc không được trước ngày bắt đầu."),
    ({"lead_id": ""}, "Chọn trưởng đoàn kiểm tra."),
    ({"start_on": "30/02/2026"}, "Ngày “30/02/2026” không có thật"),
    ({"template_id": ""}, "Chọn bộ tiêu chí kiểm tra."),
    ({"unit_id": ""}, "Chọn đơn vị được kiểm tra."),
])
def test_bad_schedule_input_is_refused_with_a_message_and_nothing_saved(people, tree, template, changes,
                                                                       field_message):
    response = people["coordinator"].post("/inspections/new", schedule_data(tree, people, template, **changes))
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert count(Inspection) == 0


def test_only_a_leader_orders_a_surprise_inspection(people, tree, template):
    response = people["coordinator"].post("/inspections/new", schedule_data(tree, people, template, kind="surprise"))
    assert response.status_code == 403
    assert count(Inspection) == 0
    assert people["officer"].get("/inspections/new").status_code == 403
    # an inspector: the commune is outside what they see, so its id alone answers 404
    assert people["inspector"].post("/inspections/new", schedule_data(tree, people, template)).status_code == 404
    assert count(Inspection) == 0


def plan_data(tree, people, template, **changes) -> dict:
    data = {"ordering_unit_id": str(tree["pc"].id), "number": "15/KH-UBND", "issued_on": day(-20),
            "year": str(TODAY.year), "title": "Kế hoạch kiểm tra công tác cải cách hành chính năm nay",
            "kind": "scheduled", "template_id": str(template.id), "first_day": day(7), "interval": "2",
            "days": "1", "lead_id": str(people.users["inspector"].id),
            "member_ids": [str(people.users["member"].id)]}
    return data | changes


def test_an_annual_plan_schedules_many_units_at_once(people, tree, template):
    own_day = TODAY + timedelta(days=30)
    response = people["coordinator"].post("/inspection-plans/new", plan_data(
        tree, people, template, days="2", unit_ids=[str(tree["dept"].id), str(tree["a"].id), str(tree["b"].id)],
        **{f"day_{tree['b'].id}": own_day.strftime("%d/%m/%Y")}))
    plan = db.session.get(InspectionPlan, created_id(response))
    rows = db.session.execute(select(Inspection).where(Inspection.inspection_plan_id == plan.id)).scalars().all()
    starts = {i.unit_id: i.start_on for i in rows}
    first = TODAY + timedelta(days=7)
    assert starts == {tree["dept"].id: first, tree["a"].id: working_day(first + timedelta(days=2)),
                      tree["b"].id: own_day}
    assert all(i.end_on == i.start_on + timedelta(days=1) and len(i.members) == 2 for i in rows)
    page = people["coordinator"].text(f"/inspection-plans/{plan.id}")
    assert "Đã kiểm tra 0/3 đơn vị; cấp xã 0/2" in page
    assert "Kế hoạch số 15/KH-UBND" in people["coordinator"].text("/inspection-plans")


@pytest.mark.parametrize(("changes", "message"), [
    ({"unit_ids": []}, "Chọn ít nhất một đơn vị được kiểm tra."),
    ({"first_day": ""}, "Nhập ngày kiểm tra cho từng đơn vị, hoặc ngày kiểm tra đơn vị đầu tiên."),
    ({"day_B": "31/02/2026"}, "Ngày “31/02/2026” không có thật"),
    ({"lead_id": ""}, "Chọn trưởng đoàn kiểm tra."),
    ({"interval": "-3"}, "Khoảng cách từ 0 đến 60 ngày."),
])
def test_bad_plan_input_is_refused_and_nothing_saved(people, tree, template, changes, message):
    if "day_B" in changes:
        changes = {f"day_{tree['b'].id}": changes.pop("day_B")}
    data = plan_data(tree, people, template, unit_ids=[str(tree["a"].id), str(tree["b"].id)]) | changes
    response = people["coordinator"].post("/inspection-plans/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(InspectionPlan) == 0 and count(Inspection) == 0


def test_announce_reschedule_change_team_and_cancel(people, tree, template):
    coordinator = people["coordinator"]
    inspection_id = created_id(coordinator.post("/inspections/new", schedule_data(
        tree, people, template, start_on=day(10))))
    assert coordinator.post(f"/inspections/{inspection_id}/announce").status_code == 303
    assert "Đã thông báo" in people["officer"].text(f"/inspections/{inspection_id}")

    url = f"/inspections/{inspection_id}/reschedule"
    assert coordinator.post(url, {"start_on": day(12), "end_on": "", "reason": ""}).status_code == 422
    assert coordinator.post(url, {"start_on": day(12), "end_on": day(13), "reason": "Trùng lịch họp HĐND"}
                            ).status_code == 303
    history = coordinator.text(url)
    assert f"Dời lịch từ {day(10)} sang {day(12)} – {day(13)}" in history and "Trùng lịch họp HĐND" in history

    team_url = f"/inspections/{inspection_id}/team"
    assert coordinator.post(team_url, {"lead_id": str(people.users["member"].id), "member_ids": [],
                                       "reason": "Trưởng đoàn đi công tác"}).status_code == 303
    page = coordinator.text(f"/inspections/{inspection_id}")
    assert "Thay đổi đoàn kiểm tra: Phạm Văn Kiểm, Lê Thị Thành → Lê Thị Thành" in page
    assert people["inspector"].get(f"/inspections/{inspection_id}").status_code == 404  # off the team now

    cancel_url = f"/inspections/{inspection_id}/cancel"
    assert "Nhập lý do hủy cuộc kiểm tra." in coordinator.post(cancel_url, {"reason": " "}).get_data(as_text=True)
    assert coordinator.post(cancel_url, {"reason": "Đơn vị sáp nhập từ 01/7"}).status_code == 303
    assert reload(db.session.get(Inspection, inspection_id)).status == InspectionStatus.CANCELLED
    assert "Đơn vị sáp nhập từ 01/7" in people["officer"].text(f"/inspections/{inspection_id}")
    assert count(InspectionChange, InspectionChange.inspection_id == inspection_id) == 2
    assert people["officer"].post(f"/inspections/{inspection_id}/reschedule", {
        "start_on": day(20), "reason": "x"}).status_code == 403


def test_a_surprise_inspection_cannot_be_announced(people, tree, template):
    hidden_id = created_id(people["leader"].post("/inspections/new", schedule_data(
        tree, people, template, kind="surprise")))
    page = people["leader"].text(f"/inspections/{hidden_id}")
    assert "Thông báo cho đơn vị" not in page
    response = people["leader"].post(f"/inspections/{hidden_id}/announce", follow_redirects=True)
    assert "Kiểm tra đột xuất không được thông báo trước cho đơn vị." in response.get_data(as_text=True)
    assert db.session.get(Inspection, hidden_id).announced_at is None


# ---- the whole desktop flow

@pytest.fixture
def announced(people, tree, template):
    inspection_id = created_id(people["coordinator"].post("/inspections/new", schedule_data(tree, people, template)))
    assert people["coordinator"].post(f"/inspections/{inspection_id}/announce").status_code == 303
    return db.session.get(Inspection, inspection_id)


def record_page_uuid(person, inspection, item_id) -> tuple[str, str]:
    """The client UUID and version the record page's form carries for one criterion."""
    page = person.text(f"/inspections/{inspection.id}/record")
    block = page[page.index(f'id="item-{item_id}"'):]
    version = re.search(r'name="version" value="([^"]*)"', block).group(1)
    return re.search(r'name="client_uuid" value="([^"]+)"', block).group(1), version


def mark(person, inspection, item, value, **extra):
    client_uuid, version = record_page_uuid(person, inspection, item.id)
    return person.post(f"/inspections/{inspection.id}/results", {
        "item_id": str(item.id), "value": value, "client_uuid": client_uuid, "version": version,
        "note": "", "severity": "", "description": ""} | extra)


def test_the_whole_inspection_from_the_desktop(people, tree, template, announced):
    inspector, member, leader = people["inspector"], people["member"], people["leader"]
    inspection, items = announced, template.items
    assert inspector.post(f"/inspections/{inspection.id}/start", {"location": "UBND xã An Phước"}).status_code == 303
    assert reload(inspection).status == InspectionStatus.IN_PROGRESS

    refused = mark(inspector, inspection, items[0], "non_compliant", severity="major", note="Thiếu sổ theo dõi")
    assert refused.status_code == 303  # back to the record page, never left on the POST address
    shown = inspector.text(refused.headers["Location"])  # the criterion's form refilled, with the message
    assert "Tiêu chí không đạt: nhập mô tả tồn tại, hạn chế." in shown and "Thiếu sổ theo dõi" in shown
    assert mark(inspector, inspection, items[0], "non_compliant", severity="major",
                description="Niêm yết 3/45 thủ tục đã hết hiệu lực").status_code == 303
    assert mark(member, inspection, items[1], "compliant", note="Sổ ghi đủ").status_code == 303
    assert mark(member, inspection, items[2], "not_applicable").status_code == 303
    free = inspector.post(f"/inspections/{inspection.id}/findings", {
        "description": "Máy lấy số thứ tự bị hỏng", "severity": "minor", "client_uuid": str(uuid.uuid4())})
    assert free.status_code == 303
    free_finding = db.session.execute(select(Finding).where(Finding.check_result_id.is_(None))).scalar_one()

    jpeg = make_photo(size=(2400, 1800))
    photo = member.post(f"/findings/{free_finding.id}/photos", {
        "photo": (io.BytesIO(jpeg), "may-lay-so.jpg"), "client_uuid": "6f1c1d2e-8a4b-4c1e-9f3a-0b2c3d4e5f60"},
        content_type="multipart/form-data")
    assert photo.status_code == 303
    page = people["officer"].text(f"/inspections/{inspection.id}")
    assert "Máy lấy số thứ tự bị hỏng" in page and "Niêm yết 3/45 thủ tục đã hết hiệu lực" in page
    thumb = re.search(r'src="(/findings/\d+/photo\?p=\d+)"', page).group(1)
    shown = people["officer"].get(thumb)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data != jpeg
    original = people["officer"].get(thumb.replace("/photo?", "/photo/original?"))
    assert hashlib.sha256(original.data).hexdigest() == hashlib.sha256(jpeg).hexdigest()
    assert people["other_officer"].get(thumb).status_code == 404

    assert member.post(f"/inspections/{inspection.id}/close-minutes", {
        "representative_name": "Đặng Văn Lợi"}).status_code == 403
    unfounded = inspector.post(f"/inspections/{inspection.id}/close-minutes", {
        "representative_name": "Đặng Văn Lợi", "representative_title": "Chủ tịch UBND xã"})
    assert unfounded.status_code == 303  # back to the record page, which says why
    assert "Căn cứ chưa đủ: nhập số, ngày, cơ quan ban hành, trích yếu" in inspector.text(
        f"/inspections/{inspection.id}/record")
    closed = inspector.post(f"/inspections/{inspection.id}/close-minutes", {
        "representative_name": "Đặng Văn Lợi", "representative_title": "Chủ tịch UBND xã",
        **factories.MINUTES_BASIS, "decision_date": "05/01/2026", "began": "08:00", "ended": "11:30"})
    assert closed.status_code == 303
    assert reload(inspection).status == InspectionStatus.MINUTES_CLOSED

    late = mark(member, inspection, items[1], "non_compliant", severity="minor",
                description="Sổ theo dõi thiếu ngày trả kết quả của 2 hồ sơ")
    assert late.status_code == 303
    assert db.session.get(CheckResult, reload_result(items[1])).value == "compliant"  # until the lead decides
    correction = db.session.execute(select(Correction)).scalar_one()
    page = inspector.text(f"/inspections/{inspection.id}")
    assert "Đề nghị sửa biên bản chờ trưởng đoàn duyệt" in page
    assert "Đề nghị sửa biên bản chờ" not in people["officer"].text(f"/inspections/{inspection.id}")
    assert member.post(f"/corrections/{correction.id}/decide", {"decision": "accept"}).status_code == 403
    assert inspector.post(f"/corrections/{correction.id}/decide", {"decision": "accept",
                                                                   "note": "Đồng ý"}).status_code == 303
    page = people["officer"].text(f"/inspections/{inspection.id}")
    assert "Biên bản bổ sung" in page and "Sổ theo dõi thiếu ngày trả kết quả của 2 hồ sơ" in page

    draft = inspector.text(f"/inspections/{inspection.id}/conclusion")
    assert f'<option selected value="{tree["a"].id}">' in draft
    assert 'name="items-0-deadline_days" type="number" value="15"' in draft  # 15 days from the signature
    assert "Khắc phục: " not in draft  # the requirement is the team's to write: empty by default
    findings = db.session.execute(select(Finding).order_by(Finding.id)).scalars().all()
    assert len(findings) == 3
    assert leader.post(f"/inspections/{inspection.id}/conclusion", {}).status_code == 403  # not the lead
    response = inspector.post(f"/inspections/{inspection.id}/conclusion", conclusion_data(tree, findings))
    assert response.status_code == 303
    assert reload(inspection).status == InspectionStatus.CONCLUSION_DRAFTED
    assert "Dự thảo kết luận kiểm tra" not in people["officer"].text(f"/inspections/{inspection.id}")

    assert people["coordinator"].post(f"/inspections/{inspection.id}/conclusion/issue").status_code == 403
    assert "Ban hành kết luận" in leader.text(f"/inspections/{inspection.id}")
    issued = leader.post(f"/inspections/{inspection.id}/conclusion/issue", follow_redirects=True)
    assert reload(inspection).status == InspectionStatus.CONCLUDED
    document = db.session.execute(select(Document)).scalar_one()  # the leader's issue is the document's issue
    assert (document.kind, document.subject_id, document.number, document.issued_on) == (
        "conclusion", inspection.id, 1, TODAY)
    assert re.fullmatch(r"01/TB-\S+", document.number_text), document.number_text
    assert (f"Đã ban hành Thông báo kết luận kiểm tra số {document.number_text}; 3 yêu cầu khắc phục đã được "
            "giao cho đơn vị.") in issued.get_data(as_text=True)
    assert db.session.execute(select(Report.status).where(Report.document_id == document.id)).scalar_one() == "queued"
    again = leader.post(f"/inspections/{inspection.id}/conclusion/issue", follow_redirects=True)
    assert (f"Chưa ban hành được kết luận kiểm tra: Thông báo kết luận kiểm tra đã được ban hành "
            f"(số {document.number_text})") in again.get_data(as_text=True)
    assert db.session.execute(select(func.count(Document.id))).scalar_one() == 1
    actions = db.session.execute(select(RemediationAction).order_by(RemediationAction.finding_id)).scalars().all()
    assert [a.finding_id for a in actions] == [f.id for f in findings]
    assert {a.deadline for a in actions} == {TODAY + timedelta(days=20)}
    page = people["officer"].text(f"/inspections/{inspection.id}")
    assert "Thông báo kết luận kiểm tra" in page and "Bố trí công chức trực Bộ phận Một cửa đủ giờ" in page
    assert "Khắc phục tồn tại, hạn chế" in page and "Chưa khắc phục" in page


def reload_result(item) -> int:
    db.session.expire_all()
    return db.session.execute(select(CheckResult.id).where(CheckResult.item_id == item.id)).scalar_one()


def conclusion_data(tree, findings, **changes) -> dict:
    data = {"summary": "Đơn vị cơ bản thực hiện tốt công tác cải cách hành chính.",
            "strengths": "Bộ phận một cửa bố trí đủ công chức.", "shortcomings": "Còn một số tồn tại.",
            "recommendations": "Bố trí công chức trực Bộ phận Một cửa đủ giờ", "version": ""}
    for n, finding in enumerate(findings):
        data |= {f"items-{n}-finding_id": str(finding.id), f"items-{n}-action": "Niêm yết bổ sung, công khai đầy đủ",
                 f"items-{n}-unit_id": str(tree["a"].id), f"items-{n}-deadline": day(20)}
    return data | changes


@pytest.fixture
def closed(people, tree, template, announced):
    """The announced inspection, started, every criterion compliant but one, minutes closed."""
    inspector = people.users["inspector"]
    fieldwork.start_inspection(inspector, announced, device_time=_now())
    for n, item in enumerate(template.items):
        fieldwork.record_result(inspector, announced, item_id=item.id, value="non_compliant" if n == 0 else "compliant",
                                severity="major", description="Chưa niêm yết bảng giá lệ phí",
                                client_uuid=f"00000000-0000-4000-8000-{n:012d}", device_time=_now())
    factories.close_minutes(inspector, announced, representative_name="Đặng Văn Lợi", representative_title="",
                            device_time=_now())
    return announced


def _now():
    from models import utcnow

    return utcnow()


def test_a_stale_conclusion_draft_shows_the_current_text_409(people, tree, closed):
    findings = db.session.execute(select(Finding)).scalars().all()
    url = f"/inspections/{closed.id}/conclusion"
    assert people["inspector"].post(url, conclusion_data(tree, findings, summary="Bản thứ nhất")).status_code == 303
    stale = people["inspector"].post(url, conclusion_data(tree, findings, summary="Bản ghi đè", version="0"))
    assert stale.status_code == 409
    assert "Bản thứ nhất" in stale.get_data(as_text=True)
    assert db.session.execute(select(Conclusion.summary)).scalar_one() == "Bản thứ nhất"


def test_the_team_lead_saves_a_conclusion_draft_again_and_again(people, tree, closed):
    """The edit path: every later save of the draft (same findings) replaces its items, never a 500."""
    findings = db.session.execute(select(Finding)).scalars().all()
    url = f"/inspections/{closed.id}/conclusion"
    for n, summary in enumerate(("Bản thứ nhất", "Bản thứ hai", "Bản thứ ba")):
        version = "" if n == 0 else str(db.session.execute(select(Conclusion)).scalar_one().version)
        response = people["inspector"].post(url, conclusion_data(tree, findings, summary=summary, version=version,
                                                                 **{"items-0-action": f"Khắc phục lần {n + 1}"}))
        assert response.status_code == 303, response.get_data(as_text=True)[:800]
        db.session.expire_all()
    conclusion = db.session.execute(select(Conclusion)).scalar_one()
    assert conclusion.summary == "Bản thứ ba" and [i.action for i in conclusion.items] == ["Khắc phục lần 3"]


def test_bad_conclusion_input_is_refused(people, tree, closed):
    findings = db.session.execute(select(Finding)).scalars().all()
    url = f"/inspections/{closed.id}/conclusion"
    past = people["inspector"].post(url, conclusion_data(tree, findings, **{"items-0-deadline": day(-1)}))
    assert past.status_code == 422 and "Thời hạn khắc phục phải từ hôm nay trở đi." in past.get_data(as_text=True)
    empty = people["inspector"].post(url, conclusion_data(tree, findings, **{"items-0-action": ""}))
    assert empty.status_code == 422 and "Nhập nội dung yêu cầu khắc phục." in empty.get_data(as_text=True)
    stray = people["inspector"].post(url, conclusion_data(tree, findings, **{"items-0-unit_id": str(tree["root"].id)}))
    assert stray.status_code == 422 and "Lựa chọn không hợp lệ" in stray.get_data(as_text=True)
    assert count(Conclusion) == 0 and reload(closed).status == InspectionStatus.MINUTES_CLOSED


def test_a_deadline_in_days_from_the_signature_becomes_a_date_at_issue(people, tree, closed):
    findings = db.session.execute(select(Finding)).scalars().all()
    url = f"/inspections/{closed.id}/conclusion"
    both = people["inspector"].post(url, conclusion_data(tree, findings, **{"items-0-deadline_days": "10"}))
    assert both.status_code == 422 and "không nhập cả hai" in both.get_data(as_text=True)
    days = conclusion_data(tree, findings, **{"items-0-deadline": "", "items-0-deadline_days": "10"})
    assert people["inspector"].post(url, days).status_code == 303
    item = db.session.execute(select(Conclusion)).scalar_one().items[0]
    assert (item.deadline, item.deadline_days) == (None, 10)
    assert people["leader"].post(f"{url}/issue").status_code == 303
    action = db.session.execute(select(RemediationAction)).scalar_one()
    assert action.deadline == TODAY + timedelta(days=10)
    document = db.session.execute(select(Document)).scalar_one()
    assert document.snapshot["items"][0]["deadline"] == (TODAY + timedelta(days=10)).strftime("%d/%m/%Y")


def test_a_deadline_before_the_issue_date_is_refused_at_issue(people, tree, closed):
    """A draft saved days ago keeps a date that has passed since: the leader's issue refuses it,
    says which requirement and why, and writes nothing."""
    findings = db.session.execute(select(Finding)).scalars().all()
    url = f"/inspections/{closed.id}/conclusion"
    assert people["inspector"].post(url, conclusion_data(tree, findings)).status_code == 303
    item = db.session.execute(select(Conclusion)).scalar_one().items[0]
    item.deadline = TODAY - timedelta(days=3)  # as drafted before that day
    db.session.commit()
    refused = people["leader"].post(f"{url}/issue", follow_redirects=True).get_data(as_text=True)
    assert (f"Thời hạn khắc phục của yêu cầu số 1 ({TODAY - timedelta(days=3):%d/%m/%Y}) trước ngày ban hành "
            f"({TODAY:%d/%m/%Y})") in refused
    assert reload(closed).status == InspectionStatus.CONCLUSION_DRAFTED
    assert count(Document) == 0 and count(RemediationAction) == 0


def test_issuing_needs_a_draft_and_without_findings_closes_the_inspection(people, template, announced):
    inspector, leader = people.users["inspector"], people["leader"]
    fieldwork.start_inspection(inspector, announced, device_time=_now())
    for n, item in enumerate(template.items):
        fieldwork.record_result(inspector, announced, item_id=item.id, value="compliant",
                                client_uuid=f"00000000-0000-4000-8000-{n:012d}", device_time=_now())
    factories.close_minutes(inspector, announced, representative_name="Đặng Văn Lợi", representative_title="",
                            device_time=_now())
    url = f"/inspections/{announced.id}/conclusion/issue"
    early = leader.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Chưa ban hành được kết luận kiểm tra: Chưa có dự thảo kết luận để ban hành." in early
    assert count(Document) == 0 and reload(announced).status == InspectionStatus.MINUTES_CLOSED
    assert people["inspector"].post(f"/inspections/{announced.id}/conclusion", {
        "summary": "Đơn vị thực hiện tốt", "strengths": "", "shortcomings": "Không có.", "recommendations": "",
        "version": ""}).status_code == 303
    page = leader.post(url, follow_redirects=True).get_data(as_text=True)
    number = db.session.execute(select(Document.number_text)).scalar_one()
    assert (f"Đã ban hành Thông báo kết luận kiểm tra số {number}; không có tồn tại phải khắc phục, "
            "đợt kiểm tra đã kết thúc.") in page
    assert reload(announced).status == InspectionStatus.CLOSED and count(RemediationAction) == 0


def test_a_stale_result_shows_the_current_value_409(people, template, announced):
    fieldwork.start_inspection(people.users["inspector"], announced, device_time=_now())
    item = template.items[1]
    client_uuid, version = record_page_uuid(people["member"], announced, item.id)  # the member's open page
    assert mark(people["inspector"], announced, item, "not_applicable", note="Không có hồ sơ").status_code == 303
    stale = people["member"].post(f"/inspections/{announced.id}/results", {
        "item_id": str(item.id), "value": "compliant", "client_uuid": client_uuid, "version": version})
    assert stale.status_code == 303  # back to the record page: the current value above the member's own
    page = people["member"].text(stale.headers["Location"])
    assert "Kết quả hiện tại do người khác vừa lưu" in page and "Không có hồ sơ" in page
    assert db.session.get(CheckResult, reload_result(item)).value == "not_applicable"


def test_team_rules_on_the_desktop_pages(people, announced):
    url = f"/inspections/{announced.id}"
    assert people["outsider"].get(url).status_code == 404  # an inspector not on the team
    assert people["outsider"].post(f"{url}/start").status_code == 404
    assert people["officer"].post(f"{url}/start").status_code == 403  # sees it, is not on the team
    assert people["coordinator"].get(f"{url}/record").status_code == 403
    assert people["member"].post(f"{url}/close-minutes", {"representative_name": "A"}).status_code == 403
    assert reload(announced).status == InspectionStatus.ANNOUNCED
    assert "Bắt đầu kiểm tra" in people["member"].text(url)
    assert "Bắt đầu kiểm tra" not in people["officer"].text(url)


def test_list_filters_and_the_calendar(people, tree, template):
    tenth = (TODAY.replace(day=1) + timedelta(days=62)).replace(day=10)  # two months ahead
    later = created_id(people["coordinator"].post("/inspections/new", schedule_data(
        tree, people, template, unit_id=str(tree["b"].id), start_on=f"{tenth:%d/%m/%Y}",
        end_on=f"{tenth + timedelta(days=1):%d/%m/%Y}", kind="thematic",
        title="Kiểm tra chuyên đề kiểm soát thủ tục hành chính", lead_id=str(people.users["member"].id),
        member_ids=[])))
    soon = created_id(people["coordinator"].post("/inspections/new", schedule_data(tree, people, template)))
    coordinator = people["coordinator"]

    def ids(url):
        return {int(i) for i in re.findall(r'href="/inspections/(\d+)"', coordinator.text(url))}

    assert ids("/inspections") == {later, soon}
    assert "Lựa chọn không hợp lệ" not in coordinator.text("/inspections")
    assert "Lựa chọn không hợp lệ" in coordinator.text("/inspections?status=bogus")
    assert ids("/inspections?status=bogus") == {later, soon}  # a bad filter is reported and ignored
    assert ids("/inspections?kind=thematic") == {later}
    assert ids(f"/inspections?unit_id={tree['b'].id}") == {later}
    assert ids(f"/inspections?inspector_id={people.users['inspector'].id}") == {soon}
    assert ids("/inspections?q=kiem+soat+thu+tuc") == {later}
    assert ids(f"/inspections?month={tenth:%Y-%m}") == {later}
    assert ids(f"/inspections?month={tenth:%m/%Y}&status=announced") == set()
    assert "Tháng “13/2026” không hợp lệ" in coordinator.text("/inspections?month=13/2026")
    calendar = coordinator.text(f"/inspections/calendar?month={tenth:%Y-%m}")
    assert calendar.count(f'href="/inspections/{later}"') == 2  # both days of the two-day inspection
    assert f'href="/inspections/{soon}"' not in calendar
    assert f"Lịch kiểm tra tháng {tenth.month}/{tenth.year}" in calendar


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_stored(people, template, announced):
    from models import Attachment, FindingPhoto

    fieldwork.start_inspection(people.users["inspector"], announced, device_time=_now())
    finding = fieldwork.record_finding(people.users["inspector"], announced, description="Máy lấy số hỏng",
                                       severity="minor", client_uuid=str(uuid.uuid4()), device_time=_now())
    response = people["member"].post(f"/findings/{finding.id}/photos", {
        "photo": (io.BytesIO(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"), "anh-chup.jpg"),
        "client_uuid": str(uuid.uuid4())}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Tệp không phải là ảnh được hỗ trợ" in people["member"].text(response.headers["Location"])
    assert count(FindingPhoto) == 0 and count(Attachment) == 0


def test_the_list_page_stays_within_its_statement_budget(app, people, tree, template):
    from tests.querycount import statement_budget

    for n in range(30):
        scheduling.schedule_inspection(
            people.users["coordinator"], ordering_unit=tree["pc"], target=tree["a" if n % 2 else "b"],
            kind=InspectionKind.SCHEDULED, start_on=TODAY + timedelta(days=n), template=template,
            lead_id=people.users["inspector"].id, member_ids=[people.users["member"].id])
    coordinator = people["coordinator"]
    with statement_budget(app, 16):
        page = coordinator.text("/inspections")
    assert page.count('href="/inspections/') >= 25


def test_the_search_finds_an_inspection_by_its_number_and_its_decision(people, surprise):
    """ "06/KTĐX"-style numbers and the decision that set the team up, typed with or without đ."""
    hidden, shown = surprise  # 02/KTĐX (surprise) and 05/ĐKT, both under "Quyết định số 120/QĐ-UBND"
    for q, found, not_found in (("02/KTĐX", hidden, shown), ("02/ktdx", hidden, shown), ("05/ĐKT", shown, hidden),
                                ("120/QĐ-UBND", shown, None), ("120/qd", hidden, None)):
        page = people["coordinator"].text(f"/inspections?q={q}")
        assert f"/inspections/{found.id}\"" in page, q
        assert not_found is None or f"/inspections/{not_found.id}\"" not in page, q
    assert f"/inspections/{hidden.id}\"" not in people["officer"].text("/inspections?q=02/KTĐX")  # still hidden
