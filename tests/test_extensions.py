"""One extension flow for tasks and remediation actions (inspection/deadlines): every test runs on
both subjects. The unit asks for a later date with a reason; the coordinator forwards it to the
leader with an opinion (or the leader decides directly where the settings skip that step); one
request per subject waits at a time, even when two are sent at once; nobody handles their own
request; a user outside the subject's units gets 404 on every extension route."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inspection.deadlines import services as deadlines
from inspection.errors import InvalidTransition, ValidationError
from models import AuditEvent, ExtensionRequest, Membership, Notification, Task, User, db
from models.enums import ExtensionStatus, RemediationStatus, Role
from tests.factories import make_user, sign_in
from tests.scenario import build_scenario, new_action_for, new_task_for
from tests.threads import at_once, in_app_context

KINDS = ("task", "action")
PAGES = {"task": "/tasks/{id}", "action": "/remediation/{id}"}
TARGETS = {"task": "task", "action": "remediation_action"}


def _subject(kind: str, unit):
    """An open task, or a remediation action being worked on, of `unit`."""
    if kind == "task":
        return new_task_for(unit)
    action = new_action_for(unit)
    action.status = RemediationStatus.IN_PROGRESS
    db.session.flush()
    return action


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    return request.param


@pytest.fixture
def subject(scenario, kind):
    record = _subject(kind, scenario.units["an_phuoc"])
    db.session.commit()
    return record


def _later(record, days: int = 30):
    return record.deadline + timedelta(days=days)


def _ask(scenario, record, **fields) -> ExtensionRequest:
    values = {"new_deadline": _later(record), "reason": "Chờ kinh phí của tỉnh"} | fields
    return deadlines.request_extension(scenario.user_for(Role.UNIT_OFFICER), record, **values)


def _told(user: User, message: str) -> bool:
    stmt = select(func.count()).select_from(Notification).where(Notification.user_id == user.id,
                                                                   Notification.message == message)
    return db.session.execute(stmt).scalar_one() > 0


# ---- the rules, in the services


def test_a_request_needs_a_reason_and_a_later_date_and_only_one_waits(scenario, subject):
    with pytest.raises(ValidationError, match="lý do"):
        _ask(scenario, subject, reason="   ")
    with pytest.raises(ValidationError, match="sau thời hạn hiện tại"):
        _ask(scenario, subject, new_deadline=subject.deadline)
    first = _ask(scenario, subject)
    with pytest.raises(ValidationError, match="Đang có một đề nghị gia hạn chờ xử lý"):
        _ask(scenario, subject, new_deadline=_later(subject, 60))
    deadlines.forward_extension(scenario.user_for(Role.COORDINATOR), first, opinion="agree")
    with pytest.raises(ValidationError, match="Đang có một đề nghị gia hạn chờ xử lý"):  # forwarded: still pending
        _ask(scenario, subject, new_deadline=_later(subject, 60))
    column = ExtensionRequest.task_id if isinstance(subject, Task) else ExtensionRequest.action_id
    assert db.session.execute(select(func.count()).where(column == subject.id)).scalar_one() == 1


def test_the_coordinator_forwards_with_an_opinion_and_the_leader_decides(scenario, subject, kind):
    coordinator, leader = scenario.user_for(Role.COORDINATOR), scenario.user_for(Role.LEADER)
    officer, original = scenario.user_for(Role.UNIT_OFFICER), subject.deadline
    request = _ask(scenario, subject)
    assert _told(coordinator, "Đề nghị gia hạn: %(title)s") and not _told(leader, "Đề nghị gia hạn: %(title)s")
    with pytest.raises(InvalidTransition, match="chưa được chuyển lãnh đạo"):
        deadlines.decide_extension(leader, request, approve=True)
    with pytest.raises(ValidationError, match="lý do đề xuất không đồng ý"):
        deadlines.forward_extension(coordinator, request, opinion="disagree", note=" ")
    assert request.status == ExtensionStatus.REQUESTED
    deadlines.forward_extension(coordinator, request, opinion="agree", note="Lý do chính đáng")
    assert (request.status, request.forward_opinion, request.forwarded_by_id) == ("forwarded", "agree", coordinator.id)
    assert _told(leader, "Đề nghị gia hạn chờ quyết định: %(title)s")
    with pytest.raises(InvalidTransition):
        deadlines.forward_extension(coordinator, request, opinion="agree")  # once
    deadlines.decide_extension(leader, request, approve=True, note="Đồng ý")
    assert (subject.deadline, subject.original_deadline) == (_later(subject, 0), original)
    assert subject.deadline == original + timedelta(days=30)
    assert _told(officer, "Đã gia hạn: %(title)s")
    with pytest.raises(InvalidTransition, match="đã được quyết định"):
        deadlines.decide_extension(leader, request, approve=False)
    events = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == TARGETS[kind], AuditEvent.target_id == str(subject.id),
        AuditEvent.action.like("extension.%")).order_by(AuditEvent.id)).scalars().all()
    assert events == ["extension.requested", "extension.forwarded", "extension.approved"]


def test_nobody_forwards_or_decides_their_own_request(scenario, subject):
    """A commune official who also holds the coordinator's and the leader's roles over it."""
    both = make_user(role=Role.UNIT_OFFICER, unit=scenario.units["an_phuoc"])
    both.memberships += [Membership(role=Role.COORDINATOR, unit_id=scenario.units["pc"].id),
                         Membership(role=Role.LEADER, unit_id=scenario.units["pc"].id)]
    db.session.commit()
    request = deadlines.request_extension(both, subject, new_deadline=_later(subject), reason="Thiếu nhân sự")
    with pytest.raises(InvalidTransition, match="của chính mình"):
        deadlines.forward_extension(both, request, opinion="agree")
    deadlines.forward_extension(scenario.user_for(Role.COORDINATOR), request, opinion="agree")
    with pytest.raises(InvalidTransition, match="của chính mình"):
        deadlines.decide_extension(both, request, approve=True)
    assert request.status == ExtensionStatus.FORWARDED and subject.deadline == subject.original_deadline


def test_where_the_settings_skip_the_coordinator_the_leader_decides_directly(app, scenario, subject, monkeypatch):
    monkeypatch.setitem(app.config, "EXTENSION_COORDINATOR_STEP", False)
    leader = scenario.user_for(Role.LEADER)
    request = _ask(scenario, subject)
    assert _told(leader, "Đề nghị gia hạn: %(title)s")
    assert not _told(scenario.user_for(Role.COORDINATOR), "Đề nghị gia hạn: %(title)s")
    deadlines.decide_extension(leader, request, approve=False, note="Không đủ căn cứ")
    assert request.status == ExtensionStatus.REFUSED and subject.deadline == subject.original_deadline


# ---- one pending request per subject, under concurrent requests


@pytest.mark.committed
@pytest.mark.parametrize("kind", KINDS)
def test_two_requests_at_once_leave_one_pending(committed, kind):
    scenario = build_scenario()
    record = _subject(kind, scenario.units["an_phuoc"])
    second = make_user(role=Role.UNIT_OFFICER, unit=scenario.units["an_phuoc"])
    db.session.commit()
    model, record_id = type(record), record.id
    asking = [scenario.user_for(Role.UNIT_OFFICER).id, second.id]

    def ask(user_id: int, days: int):
        def call():
            subject = db.session.get(model, record_id)
            try:
                deadlines.request_extension(db.session.get(User, user_id), subject,
                                            new_deadline=subject.deadline + timedelta(days=days), reason="Chờ")
            except ValidationError as exc:
                return exc.message
            return "sent"
        return in_app_context(committed, call)

    for _round in range(3):
        outcomes = at_once(ask(asking[0], 10), ask(asking[1], 20))
        assert sorted(outcomes) == sorted(["sent", deadlines.ALREADY_PENDING]), outcomes
        db.session.expire_all()
        pending = db.session.execute(select(ExtensionRequest).where(
            ExtensionRequest.status.in_(("requested", "forwarded")))).scalars().all()
        assert len(pending) == 1
        pending[0].status = ExtensionStatus.REFUSED  # decided: the next round may ask again
        db.session.commit()

    column = "task_id" if model is Task else "action_id"
    deadlines.request_extension(db.session.get(User, asking[0]), db.session.get(model, record_id),
                                new_deadline=record.deadline + timedelta(days=5), reason="Chờ")
    db.session.add(ExtensionRequest(**{column: record_id}, unit_id=record.unit_id, requested_by_id=asking[1],
                                    current_deadline=record.deadline, requested_deadline=record.deadline,
                                    reason="Lách qua dịch vụ", status=ExtensionStatus.FORWARDED))
    with pytest.raises(IntegrityError, match="uq_extension_request_pending"):
        db.session.commit()
    db.session.rollback()


# ---- the pages


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _page(client, kind: str, record) -> str:
    response = client.get(PAGES[kind].format(id=record.id))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _submit(client, kind: str, record, verb: str, **data):
    """Post the form of the subject's page whose action ends with `verb`, with its hidden fields."""
    html = _page(client, kind, record)
    url = PAGES[kind].format(id=record.id) + verb
    form = re.search(rf'<form[^>]*action="{re.escape(url)}".*?</form>', html, re.S)
    assert form, f"no form for {url}"
    hidden = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', form.group(0)):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        hidden[attrs["name"]] = html_lib.unescape(attrs.get("value", ""))
    return client.post(url, data={**hidden, **data})


def test_the_pages_take_a_request_through_forward_and_decision(app, scenario, subject, kind):
    officer, coordinator, leader = (_signed_in(app, scenario.user_for(r))
                                    for r in (Role.UNIT_OFFICER, Role.COORDINATOR, Role.LEADER))
    asked = _later(subject).strftime("%d/%m/%Y")
    refused = _submit(officer, kind, subject, "/extension", new_deadline=asked, extension_reason="")
    assert refused.status_code == 303  # a refusal answers on the subject's page (issue 18), never the POST address
    assert "Nhập lý do đề nghị gia hạn." in officer.get(refused.headers["Location"]).get_data(as_text=True)
    assert _submit(officer, kind, subject, "/extension", new_deadline=asked,
                   extension_reason="Chờ kinh phí").status_code == 303
    assert "đang chờ cơ quan tham mưu chuyển lãnh đạo" in _page(officer, kind, subject)
    shown = _page(leader, kind, subject)
    assert 'data-extension="decide"' not in shown and "đang chờ cơ quan tham mưu chuyển lãnh đạo" in shown

    assert 'data-extension="forward"' in _page(coordinator, kind, subject)
    no_reason = _submit(coordinator, kind, subject, "/extension/forward", opinion="disagree", forward_note="")
    assert no_reason.status_code == 303
    assert "Nhập lý do đề xuất không đồng ý." in coordinator.get(no_reason.headers["Location"]).get_data(as_text=True)
    assert _submit(coordinator, kind, subject, "/extension/forward", opinion="disagree",
                   forward_note="Đơn vị chưa báo cáo tiến độ").status_code == 303

    shown = _page(leader, kind, subject)
    assert 'data-extension="decide"' in shown
    assert "Đề xuất không đồng ý" in shown and "Đơn vị chưa báo cáo tiến độ" in shown
    assert _submit(leader, kind, subject, "/extension/decide", decision="refuse",
                   decision_note="Giữ thời hạn").status_code == 303
    db.session.expire_all()
    assert db.session.get(type(subject), subject.id).deadline == subject.original_deadline
    history = _page(officer, kind, subject)
    assert "Không chấp thuận gia hạn" in history and "Giữ thời hạn" in history
    assert 'data-extension="pending"' not in history and "Gửi đề nghị gia hạn" in history  # may ask again


def test_extension_routes_answer_404_outside_the_users_units(app, scenario, subject, kind):
    elsewhere = scenario.units["tan_phuoc"]
    pending = _ask(scenario, subject)
    base = PAGES[kind].format(id=subject.id)
    for role, verb, data in ((Role.UNIT_OFFICER, "/extension", {"new_deadline": "01/01/2030", "extension_reason": "x"}),
                             (Role.COORDINATOR, "/extension/forward", {"opinion": "agree"}),
                             (Role.LEADER, "/extension/decide", {"decision": "approve"})):
        outsider = _signed_in(app, make_user(role=role, unit=elsewhere))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', outsider.get("/").get_data(as_text=True)).group(1)
        body = {"csrf_token": token, "request_id": str(pending.id), "version": "1", **data}
        assert outsider.post(base + verb, data=body).status_code == 404, (role, verb)
        assert outsider.post(PAGES[kind].format(id=2**31 - 1) + verb, data=body).status_code == 404
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, pending.id).status == ExtensionStatus.REQUESTED


def test_a_form_for_another_subjects_request_changes_nothing(app, scenario, subject, kind):
    other = _subject(kind, scenario.units["an_phuoc"])
    db.session.commit()
    _ask(scenario, subject)
    theirs = _ask(scenario, other)
    coordinator = _signed_in(app, scenario.user_for(Role.COORDINATOR))
    html = _page(coordinator, kind, subject)
    assert f'value="{theirs.id}"' not in html
    response = _submit(coordinator, kind, subject, "/extension/forward", opinion="agree", request_id=str(theirs.id))
    assert response.status_code == 303  # refused on the subject's page
    assert "flash-error" in coordinator.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(ExtensionRequest))} == {ExtensionStatus.REQUESTED}


def test_an_english_leader_reads_the_forwarded_request_in_english(app, scenario, subject, kind):
    request = _ask(scenario, subject)
    deadlines.forward_extension(scenario.user_for(Role.COORDINATOR), request, opinion="agree", note="Hợp lý")
    leader = _signed_in(app, make_user(role=Role.LEADER, unit=scenario.units["pc"], locale="en"))
    shown = _page(leader, kind, subject)
    assert "Recommends approval" in shown and "Đề xuất đồng ý" not in shown
    assert "Awaiting the leader's decision" in shown
