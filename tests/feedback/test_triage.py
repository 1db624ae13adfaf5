"""From a complaint to a fix: the coordinator's triage list, a finding and its remediation action the
unit sees, dismissing, listing the desk, and the once-a-week alert."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspection.feedback import answers
from inspection.language.formatting import format_date, local_today
from models import AuditEvent, Feedback, Finding, Notification, RemediationAction, db
from models.enums import Role
from tests.factories import csrf_token, make_user, sign_in

from .helpers import make_desk, text

LOW = {"access": 2, "procedure": 3, "official": 1, "result": 3, "handling": 2}
GOOD = {"access": 5, "procedure": 4, "official": 5, "result": 4, "handling": 4}


def _answer(desk, scores, **fields) -> Feedback:
    """A citizen's answer as stored, read back by the id the service returns."""
    return db.session.get(Feedback, answers.submit_answer((desk.id, desk.token_id), scores, **fields))


@pytest.fixture
def people(app, tree):
    coordinator = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    head = make_user(role=Role.UNIT_HEAD, unit=tree["a"])
    db.session.commit()
    clients = {}
    for name, user in (("coordinator", coordinator), ("head", head)):
        clients[name] = app.test_client()
        sign_in(clients[name], user)
    return clients


def test_only_low_scores_with_a_comment_reach_the_coordinator_list(people, tree):
    desk = make_desk(tree["a"])
    complaint = _answer(desk, LOW, comment="Chờ 3 tiếng, <b>cán bộ</b> vắng")
    _answer(desk, LOW)
    _answer(desk, GOOD, comment="Tốt")
    page = text(people["coordinator"].get("/feedback/triage"))
    assert "Chờ 3 tiếng, <b>cán bộ</b> vắng" in page and page.count('id="answer-') == 1
    assert "&lt;b&gt;" in people["coordinator"].get("/feedback/triage").get_data(as_text=True)
    assert people["head"].get("/feedback/triage").status_code == 403
    assert people["head"].get(f"/feedback/answers/{complaint.id}").status_code == 404


def test_a_complaint_becomes_a_finding_and_an_action_the_unit_sees(people, tree):
    desk = make_desk(tree["a"], name="Một cửa An Phước")
    complaint = _answer(desk, LOW, comment="Cán bộ đòi thêm giấy tờ không có trong quy định")
    coordinator = people["coordinator"]
    deadline = local_today() + timedelta(days=30)
    response = coordinator.post(f"/feedback/answers/{complaint.id}/finding", data={
        "csrf_token": csrf_token(coordinator, "/"), "description": "Yêu cầu thêm hồ sơ ngoài quy định",
        "severity": "major", "action": "Chấn chỉnh, niêm yết đúng thành phần hồ sơ", "deadline": format_date(deadline),
        "quote": "no"})
    assert response.status_code == 303
    finding = db.session.execute(select(Finding)).scalar_one()
    assert finding.inspection_id is None and finding.unit_id == tree["a"].id and finding.severity == "major"
    assert "đòi thêm giấy tờ" not in finding.description  # quoted only when the coordinator chooses
    action = db.session.execute(select(RemediationAction)).scalar_one()
    assert (action.finding_id, action.unit_id, action.deadline, action.status) == (finding.id, tree["a"].id,
                                                                                     deadline, "open")
    db.session.refresh(complaint)
    assert complaint.status == "finding_opened" and complaint.finding_id == finding.id
    page = text(people["head"].get(f"/remediation/{action.id}"))
    assert "Chấn chỉnh, niêm yết đúng thành phần hồ sơ" in page and "Yêu cầu thêm hồ sơ ngoài quy định" in page
    assert "Chấn chỉnh" in text(people["head"].get("/remediation"))
    again = coordinator.post(f"/feedback/answers/{complaint.id}/dismiss",
                             data={"csrf_token": csrf_token(coordinator, "/"), "note": "Trùng"})
    assert again.status_code == 303 and "đã được xử lý" in text(coordinator.get(again.headers["Location"]))


def test_the_comment_is_quoted_when_chosen(people, tree):
    complaint = _answer(make_desk(tree["a"]), LOW, comment="Thái độ thiếu tôn trọng")
    coordinator = people["coordinator"]
    coordinator.post(f"/feedback/answers/{complaint.id}/finding", data={
        "csrf_token": csrf_token(coordinator, "/"), "description": "Thái độ phục vụ", "severity": "minor",
        "action": "Nhắc nhở công chức", "deadline": format_date(local_today() + timedelta(days=7)), "quote": "yes"})
    assert "“Thái độ thiếu tôn trọng”" in db.session.execute(select(Finding.description)).scalar_one()


def test_dismiss_needs_a_reason_and_listing_puts_the_desk_on_the_surprise_list(people, tree):
    desk = make_desk(tree["a"], name="Một cửa An Phước")
    first = _answer(desk, LOW, comment="Chậm")
    second = _answer(desk, LOW, comment="Vắng người")
    coordinator, token = people["coordinator"], csrf_token(people["coordinator"], "/")
    refused = coordinator.post(f"/feedback/answers/{first.id}/dismiss", data={"csrf_token": token, "note": ""})
    assert refused.status_code == 303 and "Nhập lý do" in text(coordinator.get(refused.headers["Location"]))
    assert coordinator.post(f"/feedback/answers/{first.id}/dismiss",
                            data={"csrf_token": token, "note": "Đã giải thích"}).status_code == 303
    assert coordinator.post(f"/feedback/answers/{second.id}/list",
                            data={"csrf_token": token, "note": "Kiểm tra giờ làm việc"}).status_code == 303
    db.session.refresh(desk)
    assert desk.listed_for_inspection_at is not None
    page = text(coordinator.get("/feedback/triage"))
    assert "Một cửa An Phước" in page.split("danh sách kiểm tra đột xuất")[-1]
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("feedback.%"))
                                 .order_by(AuditEvent.seq)).scalars().all()
    assert actions == ["feedback.dismissed", "feedback.listed"]


def test_several_complaints_in_a_week_notify_the_coordinator_once(app, tree):
    coordinator = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    make_user(role=Role.COORDINATOR, unit=tree["b"])  # not over this desk
    desk = make_desk(tree["a"])
    for i in range(app.config["FEEDBACK_ALERT_COMPLAINTS"] + 2):
        _answer(desk, LOW, comment=f"Phản ánh {i}")
    notes = db.session.execute(select(Notification).where(Notification.title.like("%phản ánh%"))).scalars().all()
    assert [n.user_id for n in notes] == [coordinator.id]
    assert db.session.execute(select(func.count()).select_from(Feedback)).scalar_one() == 5


def test_a_complaint_s_finding_and_its_action_count_on_the_dashboard(tree):
    """A finding opened from a complaint has no inspection: the dashboard's finding and remediation
    figures count it all the same, in the month it was recorded (they used to drop it)."""
    from inspection.dashboard.board import get_dashboard
    from inspection.dashboard.period import year_period
    from inspection.feedback import triage
    from inspection.jobs.summary import refresh_dashboard

    coordinator = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    complaint = _answer(make_desk(tree["a"]), LOW, comment="Không có ghế chờ")
    db.session.commit()
    refresh_dashboard()
    year = year_period(local_today().year)
    before = get_dashboard(coordinator, year).board
    triage.open_finding(coordinator, complaint, severity="major", description="Thiếu ghế chờ cho người dân",
                        action="Bố trí ghế chờ", deadline=local_today() + timedelta(days=10), quote=False)
    refresh_dashboard()
    after = get_dashboard(coordinator, year).board
    assert after.finding_total() == before.finding_total() + 1
    assert after.finding_total("major") == before.finding_total("major") + 1
    assert (after.remediation.total, after.remediation.unfinished) == (before.remediation.total + 1,
                                                                       before.remediation.unfinished + 1)
