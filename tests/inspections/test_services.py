"""Inspections through their services on PostgreSQL: scheduling, the surprise-visibility rule,
one result per item, idempotent submissions, the capture window, corrections and the conclusion."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inspection.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationError
from inspection.inspections import conclusions, fieldwork, scheduling
from inspection.language.formatting import TZ, local_today
from inspection.security import permissions, scoping
from models import (
    CheckResult,
    Conclusion,
    Correction,
    Finding,
    Inspection,
    Notification,
    RemediationAction,
    db,
)
from models.enums import InspectionKind, InspectionStatus, Role
from tests import factories
from tests.factories import make_user
from tests.fieldwork import make_checklist, on_site


def uid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def people(ctx, tree):
    return {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"]),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"]),
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "outsider": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"]),
        "viewer": make_user(role=Role.VIEWER, unit=tree["pc"]),
        "other": make_user(role=Role.UNIT_OFFICER, unit=tree["b"]),
    }


@pytest.fixture
def template(tree, people):
    return make_checklist(tree["pc"])


def _schedule(people, tree, template, kind=InspectionKind.SCHEDULED, who="coordinator", start=None):
    start = start or local_today()
    return scheduling.schedule_inspection(
        people[who], ordering_unit=tree["pc"], target=tree["a"], kind=kind, start_on=start, end_on=start,
        template=template, lead_id=people["inspector"].id, member_ids=[people["member"].id],
        number="05/ĐKT", decision_ref="Quyết định số 120/QĐ-UBND")


def _visible_ids(actor):
    stmt = scoping.scope(select(Inspection.id), actor, Inspection)
    return list(db.session.execute(stmt).scalars())


def test_a_surprise_inspection_is_ordered_only_by_a_leader(people, tree, template):
    with pytest.raises(Forbidden):
        _schedule(people, tree, template, InspectionKind.SURPRISE, who="coordinator")
    inspection = _schedule(people, tree, template, InspectionKind.SURPRISE, who="leader")
    with pytest.raises(InvalidTransition):
        scheduling.announce_inspection(people["leader"], inspection)


def test_an_unstarted_surprise_inspection_is_invisible_to_its_unit_until_started(people, tree, template):
    inspection = _schedule(people, tree, template, InspectionKind.SURPRISE, who="leader")
    for who in ("officer", "head", "viewer", "other"):
        assert inspection.id not in _visible_ids(people[who]), who
        with pytest.raises(NotFound):
            permissions.get_visible_or_404(Inspection, inspection.id, people[who])
    for who in ("leader", "coordinator", "inspector", "member"):
        assert inspection.id in _visible_ids(people[who]), who
    fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    for who in ("officer", "head", "viewer"):
        assert inspection.id in _visible_ids(people[who]), who
    assert inspection.id not in _visible_ids(people["other"])


def test_no_notification_reaches_the_unit_before_the_surprise_starts(people, tree, template):
    db.session.commit()
    inspection = _schedule(people, tree, template, InspectionKind.SURPRISE, who="leader")
    unit_users = [people["officer"].id, people["head"].id]
    count = select(func.count(Notification.id)).where(Notification.user_id.in_(unit_users))
    assert db.session.execute(count).scalar_one() == 0
    fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    assert db.session.execute(count).scalar_one() == 2


def test_a_scheduled_inspection_is_visible_to_its_unit_from_the_announcement(people, tree, template):
    inspection = _schedule(people, tree, template)
    assert inspection.id not in _visible_ids(people["officer"])
    scheduling.announce_inspection(people["coordinator"], inspection)
    assert inspection.id in _visible_ids(people["officer"])
    assert inspection.announced_at is not None


def test_reschedule_keeps_the_old_date_and_cancel_needs_a_reason(people, tree, template):
    inspection = _schedule(people, tree, template, start=date(2030, 3, 2))
    scheduling.reschedule_inspection(people["coordinator"], inspection, start_on=date(2030, 3, 9),
                                     end_on=date(2030, 3, 10), reason="Trùng lịch họp HĐND")
    from models import InspectionChange

    change = db.session.execute(select(InspectionChange)).scalar_one()
    assert change.before["start_on"] == "2030-03-02" and change.after["start_on"] == "2030-03-09"
    with pytest.raises(ValidationError):
        scheduling.cancel_inspection(people["coordinator"], inspection, reason=" ")
    scheduling.cancel_inspection(people["coordinator"], inspection, reason="Đơn vị sáp nhập")
    assert inspection.status == InspectionStatus.CANCELLED


@pytest.fixture
def started(people, tree, template):
    inspection = _schedule(people, tree, template)
    scheduling.announce_inspection(people["coordinator"], inspection)
    fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    return inspection


def _mark(people, inspection, item, value="compliant", who="inspector", **kw):
    return fieldwork.record_result(people[who], inspection, item_id=item.id, value=value,
                                   client_uuid=kw.pop("client_uuid", uid()), device_time=on_site(), **kw)


def test_one_result_per_item_and_a_second_submission_needs_the_current_version(people, started, template):
    item = template.items[0]
    first = _mark(people, started, item)
    with pytest.raises(Conflict):
        _mark(people, started, item, value="not_applicable", who="member")
    second = _mark(people, started, item, value="not_applicable", who="member", version=first.version)
    assert second.id == first.id and second.value == "not_applicable"
    assert db.session.execute(select(func.count(CheckResult.id))).scalar_one() == 1


def test_the_same_submission_twice_is_stored_once(people, started, template):
    same = uid()
    a = _mark(people, started, template.items[0], value="non_compliant", severity="major",
              description="Chưa niêm yết 3/45 thủ tục", client_uuid=same)
    b = _mark(people, started, template.items[0], value="non_compliant", severity="major",
              description="Chưa niêm yết 3/45 thủ tục", client_uuid=same)
    assert a.id == b.id
    free = uid()
    f1 = fieldwork.record_finding(people["inspector"], started, description="Máy lấy số hỏng",
                                  severity="minor", client_uuid=free, device_time=on_site())
    f2 = fieldwork.record_finding(people["inspector"], started, description="Máy lấy số hỏng",
                                  severity="minor", client_uuid=free, device_time=on_site())
    assert f1.id == f2.id
    assert db.session.execute(select(func.count(Finding.id))).scalar_one() == 2  # the result's + the free one


def test_a_non_compliant_result_is_a_finding_and_needs_a_description(people, started, template):
    with pytest.raises(ValidationError, match="mô tả"):
        _mark(people, started, template.items[1], value="non_compliant", severity="major")
    result = _mark(people, started, template.items[1], value="non_compliant", severity="critical",
                   description="Sổ theo dõi thiếu ngày trả kết quả của 12 hồ sơ")
    finding = db.session.execute(select(Finding).where(Finding.check_result_id == result.id)).scalar_one()
    assert finding.severity == "critical" and finding.unit_id == started.unit_id


def test_bad_submissions_are_refused(people, started, template, tree):
    other = make_checklist(tree["pc"], name="Bộ khác")
    with pytest.raises(ValidationError, match="không thuộc bộ tiêu chí"):
        _mark(people, started, other.items[0])
    with pytest.raises(Forbidden):
        _mark(people, started, template.items[0], who="outsider")
    with pytest.raises(ValidationError, match="ngoài thời gian kiểm tra"):
        fieldwork.record_result(people["inspector"], started, item_id=template.items[0].id, value="compliant",
                                client_uuid=uid(), device_time=on_site() - timedelta(days=3))
    with pytest.raises(ValidationError):
        _mark(people, started, template.items[0], value="maybe")
    assert db.session.execute(select(func.count(CheckResult.id))).scalar_one() == 0


def test_device_clock_skew_within_the_allowance_is_accepted(people, started, template):
    early = datetime.combine(started.start_on, datetime.min.time(), TZ) - timedelta(minutes=90)
    fieldwork.record_result(people["inspector"], started, item_id=template.items[0].id, value="compliant",
                            client_uuid=uid(), device_time=early)


def _close(people, inspection, template):
    for item in template.items:
        if not db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).first():
            _mark(people, inspection, item)
    factories.close_minutes(people["inspector"], inspection, representative_name="Đặng Văn Lợi",
                            representative_title="Chủ tịch UBND xã", device_time=on_site(hour=16))


def test_closing_the_minutes_needs_every_item_and_the_lead(people, started, template):
    with pytest.raises(ValidationError, match="chưa đánh giá"):
        factories.close_minutes(people["inspector"], started, representative_name="Đặng Văn Lợi",
                                representative_title="", device_time=on_site())
    for item in template.items:
        _mark(people, started, item)
    with pytest.raises(Forbidden):
        factories.close_minutes(people["member"], started, representative_name="A", representative_title="",
                                device_time=on_site())
    _close(people, started, template)
    assert started.status == InspectionStatus.MINUTES_CLOSED


def test_edits_after_the_minutes_are_closed_become_corrections_for_the_lead(people, started, template):
    first = _mark(people, started, template.items[0])
    _close(people, started, template)
    correction = _mark(people, started, template.items[0], value="non_compliant", who="member",
                       severity="minor", description="Bổ sung: thiếu bảng giá lệ phí")
    assert isinstance(correction, Correction) and correction.status == "pending"
    db.session.refresh(first)
    assert first.value == "compliant"  # unchanged until the lead decides
    with pytest.raises(Forbidden):
        fieldwork.decide_correction(people["member"], correction, accept=True)
    fieldwork.decide_correction(people["inspector"], correction, accept=True, note="Đồng ý bổ sung")
    db.session.refresh(first)
    assert first.value == "non_compliant"
    rejected = fieldwork.record_finding(people["member"], started, description="Ghi chú thêm", severity="minor",
                                        client_uuid=uid(), device_time=on_site())
    fieldwork.decide_correction(people["inspector"], rejected, accept=False, note="Không có căn cứ")
    assert db.session.execute(select(func.count(Finding.id))).scalar_one() == 1


def test_issuing_the_conclusion_opens_one_action_per_finding(people, started, template):
    _mark(people, started, template.items[0], value="non_compliant", severity="major",
          description="Chưa niêm yết 3/45 thủ tục hành chính")
    _close(people, started, template)
    finding = db.session.execute(select(Finding)).scalar_one()
    with pytest.raises(ValidationError, match="chưa có yêu cầu khắc phục"):
        conclusions.draft_conclusion(people["inspector"], started, items=[], summary="Tóm tắt")
    deadline = local_today() + timedelta(days=15)
    conclusions.draft_conclusion(people["inspector"], started, summary="Đơn vị cơ bản thực hiện tốt",
                                 items=[{"finding_id": finding.id, "action": "Niêm yết bổ sung 3 thủ tục",
                                         "unit_id": started.unit_id, "deadline": deadline}])
    with pytest.raises(Forbidden):
        conclusions.issue_conclusion(people["coordinator"], started)
    conclusions.issue_conclusion(people["leader"], started)
    action = db.session.execute(select(RemediationAction)).scalar_one()
    assert (started.status, action.deadline, action.status) == (InspectionStatus.CONCLUDED, deadline, "open")


def test_a_conclusion_without_findings_closes_the_inspection(people, started, template):
    _close(people, started, template)
    conclusions.draft_conclusion(people["inspector"], started, items=[], summary="Không phát hiện tồn tại")
    conclusions.draft_conclusion(people["inspector"], started, items=[], summary="Không phát hiện tồn tại nào",
                                 version=db.session.execute(select(Conclusion.version)).scalar_one())
    told = db.session.execute(select(Notification).where(Notification.user_id == people["leader"].id)).scalars().all()
    assert [(n.message, n.params["title"]) for n in told] == [  # the leader issues it; told once
        ("Dự thảo kết luận chờ ban hành: %(title)s", started.title)]
    conclusions.issue_conclusion(people["leader"], started)
    assert started.status == InspectionStatus.CLOSED
    assert db.session.execute(select(RemediationAction)).first() is None
