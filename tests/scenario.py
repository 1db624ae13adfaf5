"""The shared scenario (fixture `scenario`): a province whose People's Committee has departments,
a service unit and communes — one of them formed by the merger of 01/7/2025 — with one user per
role (memberships as in DESIGN's "Who sees what"), a former user left on a merged commune and a
deactivated user.

Later issues extend it: add a builder to BUILDERS (each takes the Scenario and adds to it) and a
factory to RECORD_FACTORIES for every model a route loads by id (the route walk needs one)."""

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspection.language.formatting import local_today
from inspection.language.text import fold
from models import (
    Attachment,
    ChecklistItem,
    ChecklistTemplate,
    Correction,
    Desk,
    Device,
    Document,
    Feedback,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionMember,
    InspectionPlan,
    Membership,
    OrgUnit,
    ParAssessment,
    ParEvidence,
    ParIndex,
    ParRound,
    ParScore,
    Plan,
    RemediationAction,
    RemediationSubmission,
    Report,
    Task,
    User,
    db,
    utcnow,
)
from models.enums import InspectionKind, InspectionStatus, Role, UnitKind
from tests.factories import PDF_BYTES, make_photo, make_task_file, make_template, make_unit, make_user
from tests.par_records import make_assessment_with_pack, make_evidence, make_index, make_round, make_score

MERGED_ON = date(2025, 7, 1)
LAST_DAY_BEFORE_MERGER = date(2025, 6, 30)

# the unit each role's scenario user is a member of (DESIGN "Who sees what")
ROLE_HOMES = {
    Role.ADMIN: "root",
    Role.LEADER: "pc",
    Role.COORDINATOR: "pc",
    Role.INSPECTOR: "noi_vu",
    Role.UNIT_HEAD: "an_phuoc",
    Role.UNIT_OFFICER: "an_phuoc",
    Role.VIEWER: "tan_phuoc",
}


class Scenario:
    """The records of the scenario by key: `units`, `users` (one per role under the role's own
    name, plus "successor_officer", "predecessor_officer", "inactive") and `inspections`."""

    def __init__(self) -> None:
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.inspections: dict[str, object] = {}

    def home_of(self, role: str) -> OrgUnit:
        return self.units[ROLE_HOMES[role]]

    def user_for(self, role: str) -> User:
        return self.users[str(role)]


def _unit(s: Scenario, key: str, name: str, kind: str, parent: str | None = None, **fields) -> None:
    s.units[key] = make_unit(name=name, kind=kind, parent=s.units[parent] if parent else None,
                             code=f"KB-{key}", **fields)


def add_units(s: Scenario) -> None:
    """Province → People's Committee → Sở Nội vụ (the CCHC focal point, DESIGN's "Phòng Nội vụ"
    at province level), Văn phòng, a service unit, two communes (xã An Phước has a sub-unit)."""
    _unit(s, "root", "Tỉnh Đồng Tháp", UnitKind.PROVINCE)
    _unit(s, "pc", "Ủy ban nhân dân tỉnh Đồng Tháp", UnitKind.PEOPLES_COMMITTEE, "root")
    _unit(s, "noi_vu", "Sở Nội vụ", UnitKind.DEPARTMENT, "pc")
    _unit(s, "van_phong", "Văn phòng Ủy ban nhân dân tỉnh", UnitKind.DEPARTMENT, "pc")
    _unit(s, "service", "Trung tâm Phục vụ hành chính công tỉnh", UnitKind.SERVICE_UNIT, "pc")
    _unit(s, "an_phuoc", "Ủy ban nhân dân xã An Phước", UnitKind.COMMUNE, "pc")
    _unit(s, "an_phuoc_desk", "Bộ phận Một cửa xã An Phước", UnitKind.OTHER, "an_phuoc")
    _unit(s, "tan_phuoc", "Ủy ban nhân dân xã Tân Phước", UnitKind.COMMUNE, "pc")


def add_merged_communes(s: Scenario) -> None:
    """Xã Tân Hồng and xã Tân Thành merged into xã Tân Hồng Thành on 01/7/2025."""
    _unit(s, "successor", "Ủy ban nhân dân xã Tân Hồng Thành", UnitKind.COMMUNE, "pc",
          valid_from=MERGED_ON)
    for key, name in (("predecessor_a", "Ủy ban nhân dân xã Tân Hồng"),
                      ("predecessor_b", "Ủy ban nhân dân xã Tân Thành")):
        _unit(s, key, name, UnitKind.COMMUNE, "pc", valid_to=LAST_DAY_BEFORE_MERGER,
              successor_id=s.units["successor"].id, is_active=False)


def _user(s: Scenario, key: str, role: str, unit: str, full_name: str, **fields) -> None:
    s.users[key] = make_user(role=role, unit=s.units[unit], username=f"kb_{key}",
                             full_name=full_name, **fields)


def add_users(s: Scenario) -> None:
    """One user per role on the role's home unit, and the merger's and deactivation's users."""
    names = {Role.ADMIN: "Lê Quản Trị", Role.LEADER: "Nguyễn Văn Lãnh", Role.COORDINATOR: "Trần Thị Điều",
             Role.INSPECTOR: "Phạm Văn Kiểm", Role.UNIT_HEAD: "Võ Thị Thủ", Role.UNIT_OFFICER: "Đặng Văn Cán",
             Role.VIEWER: "Huỳnh Thị Xem"}
    for role, unit in ROLE_HOMES.items():
        _user(s, str(role), role, unit, names[role])
    _user(s, "successor_officer", Role.UNIT_OFFICER, "successor", "Lý Văn Hợp")
    _user(s, "predecessor_officer", Role.UNIT_OFFICER, "predecessor_a", "Mai Thị Cũ")
    _user(s, "inactive", Role.UNIT_OFFICER, "an_phuoc", "Đỗ Văn Nghỉ", is_active=False)


def add_inspections(s: Scenario) -> None:
    """s.inspections["surprise_an_phuoc"]: a surprise (đột xuất) inspection of xã An Phước ordered
    by the People's Committee, team lead s.users["inspector"], planned (not started): xã An Phước's
    users (unit_head, unit_officer) and the viewer must not see it anywhere until it starts."""
    template = make_template(unit=s.units["pc"], name="Kiểm tra công vụ đột xuất tại Bộ phận Một cửa")
    title = "Kiểm tra đột xuất Bộ phận Một cửa UBND xã An Phước"
    start = local_today() + timedelta(days=2)
    inspection = Inspection(unit_id=s.units["an_phuoc"].id, ordering_unit_id=s.units["pc"].id,
                            kind=InspectionKind.SURPRISE, status=InspectionStatus.PLANNED, number="02/KTĐX",
                            decision_ref="Quyết định số 245/QĐ-UBND", start_on=start, end_on=start,
                            template_id=template.id, title=title, title_folded=fold(title),
                            created_by_id=s.users[str(Role.LEADER)].id)
    inspection.members = [InspectionMember(user_id=s.users[str(Role.INSPECTOR)].id, role="lead")]
    db.session.add(inspection)
    db.session.flush()
    s.inspections["surprise_an_phuoc"] = inspection


BUILDERS: list[Callable[[Scenario], None]] = [add_units, add_merged_communes, add_users, add_inspections]


def build_scenario() -> Scenario:
    s = Scenario()
    for build in BUILDERS:
        build(s)
    db.session.commit()
    return s


@pytest.fixture
def scenario(ctx) -> Scenario:
    """The shared scenario, committed inside the test's outer transaction (rolled back after)."""
    return build_scenario()


# ---- records for the route walk: Model → factory(anchor unit) → a new record that lies in
# the anchor's subtree (so inside a user's scope when the anchor is their home unit)

def new_unit_under(anchor: OrgUnit) -> OrgUnit:
    return make_unit(name="Ủy ban nhân dân xã Mới Lập", parent=anchor)


def new_user_on(anchor: OrgUnit) -> User:
    return make_user(role=Role.UNIT_OFFICER, unit=anchor, full_name="Ngô Văn Mới")


def new_device_of(anchor: OrgUnit) -> Device:
    """A tablet registered by an inspector of the anchor unit."""
    device = Device(user_id=make_user(role=Role.INSPECTOR, unit=anchor).id, name="Máy tính bảng đoàn 1",
                    token_hash=uuid.uuid4().hex * 2)
    db.session.add(device)
    db.session.flush()
    return device


def new_plan_of(anchor: OrgUnit) -> Plan:
    """A draft plan issued by the anchor unit."""
    title = "Kế hoạch cải cách hành chính năm 2025"
    plan = Plan(unit_id=anchor.id, number="12/KH-UBND", issued_on=date(2025, 1, 10), title=title,
                title_folded=fold(title), year=2025)
    db.session.add(plan)
    db.session.flush()
    return plan


def new_task_for(anchor: OrgUnit) -> Task:
    """An open task led by the anchor unit, item 1 of a plan the anchor issued."""
    title = "Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa"
    task = Task(plan_id=new_plan_of(anchor).id, number="1", title=title, title_folded=fold(title),
                unit_id=anchor.id, deadline=date(2025, 9, 30), original_deadline=date(2025, 9, 30))
    db.session.add(task)
    db.session.flush()
    return task


def new_task_file_on(anchor: OrgUnit) -> Attachment:
    """A file posted with a progress update on a new task led by the anchor unit."""
    return make_task_file(task=new_task_for(anchor), author=make_user(role=Role.UNIT_OFFICER, unit=anchor))


def new_inspection_of(anchor: OrgUnit, status: str = InspectionStatus.ANNOUNCED) -> Inspection:
    """An announced inspection of the anchor unit, ordered by it, dated today; its team is the
    anchor's inspectors (the first one leads)."""
    template = make_template(unit=anchor)
    title = f"Kiểm tra công tác cải cách hành chính tại {anchor.name}"
    inspection = Inspection(unit_id=anchor.id, ordering_unit_id=anchor.id, kind=InspectionKind.SCHEDULED,
                            status=status, announced_at=utcnow(), start_on=local_today(), end_on=local_today(),
                            template_id=template.id, title=title, title_folded=fold(title))
    inspectors = db.session.execute(select(Membership.user_id).where(
        Membership.unit_id == anchor.id, Membership.role == Role.INSPECTOR).order_by(Membership.id)).scalars()
    inspection.members = [InspectionMember(user_id=uid, role="lead" if n == 0 else "member")
                          for n, uid in enumerate(inspectors)]
    db.session.add(inspection)
    db.session.flush()
    return inspection


def new_finding_in(anchor: OrgUnit) -> Finding:
    """A free finding, with one photo, of an inspection of the anchor unit under way."""
    from inspection.files.photos import store_photo

    inspection = new_inspection_of(anchor, InspectionStatus.IN_PROGRESS)
    inspection.started_at = utcnow()
    author = make_user(role=Role.INSPECTOR, unit=anchor)
    finding = Finding(inspection_id=inspection.id, unit_id=anchor.id, severity="minor",
                      description="Máy lấy số thứ tự bị hỏng", description_folded="may lay so thu tu bi hong",
                      client_uuid=str(uuid.uuid4()), device_time=utcnow(), recorded_by_id=author.id)
    db.session.add(finding)
    db.session.flush()
    original, display = store_photo(io.BytesIO(make_photo(size=(320, 240))), "may-lay-so.jpg", unit_id=anchor.id,
                                    uploaded_by_id=author.id)
    db.session.flush()
    db.session.add(FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                                client_uuid=str(uuid.uuid4()), device_time=utcnow()))
    db.session.flush()
    return finding


def new_correction_in(anchor: OrgUnit) -> Correction:
    """A pending correction (a finding proposed after the minutes closed) of an inspection of the anchor."""
    inspection = new_inspection_of(anchor, InspectionStatus.MINUTES_CLOSED)
    inspection.started_at = inspection.minutes_closed_at = utcnow()
    payload = {"op": "finding", "description": "Bổ sung: thiếu bảng giá lệ phí", "severity": "minor",
               "latitude": None, "longitude": None}
    correction = Correction(inspection_id=inspection.id, target_type="finding", payload=payload,
                            client_uuid=str(uuid.uuid4()), device_time=utcnow(),
                            proposed_by_id=make_user(role=Role.INSPECTOR, unit=anchor).id)
    db.session.add(correction)
    db.session.flush()
    return correction


def new_inspection_plan_of(anchor: OrgUnit) -> InspectionPlan:
    plan = InspectionPlan(unit_id=anchor.id, number="15/KH-UBND", issued_on=date(2026, 1, 20), year=2026,
                          title="Kế hoạch kiểm tra công tác cải cách hành chính năm 2026")
    db.session.add(plan)
    db.session.flush()
    return plan


def new_action_for(anchor: OrgUnit) -> RemediationAction:
    """A remediation action of the anchor unit answering a photographed finding of a concluded
    inspection of the anchor, with one confirmed round carrying an evidence file (chờ duyệt)."""
    from inspection.files import storage

    finding = new_finding_in(anchor)
    inspection = db.session.get(Inspection, finding.inspection_id)
    inspection.status, inspection.minutes_closed_at = InspectionStatus.CONCLUDED, utcnow()
    deadline = local_today() + timedelta(days=20)
    action = RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=anchor.id,
                               description="Sửa chữa hoặc thay máy lấy số thứ tự", deadline=deadline,
                               original_deadline=deadline, status="submitted", completed_on=local_today(),
                               raised_by_id=finding.recorded_by_id)
    db.session.add(action)
    db.session.flush()
    officer = make_user(role=Role.UNIT_OFFICER, unit=anchor, full_name="Trương Văn Sửa")
    submission = RemediationSubmission(action_id=action.id, note="Đã thay máy lấy số mới", submitted_by_id=officer.id,
                                       submitted_at=utcnow(), confirmed_by_id=officer.id, confirmed_at=utcnow())
    submission.attachments = [storage.store(io.BytesIO(PDF_BYTES), "bien-ban-ban-giao.pdf", kind="remediation_evidence",
                                            unit_id=anchor.id, uploaded_by_id=officer.id)]
    db.session.add(submission)
    db.session.flush()
    return action


def _stored_pdf(name: str, kind: str = "report_pdf", unit_id: int | None = None):
    from inspection.files import storage

    attachment = storage.store(io.BytesIO(PDF_BYTES), name, kind=kind, allowed={"application/pdf"}, unit_id=unit_id)
    db.session.flush()
    return attachment


def new_report_about(anchor: OrgUnit):
    """A ready PDF rendering (stored) of the minutes of an announced inspection of the anchor."""
    inspection = new_inspection_of(anchor)
    report = Report(kind="minutes", subject_type="inspection", subject_id=inspection.id, params={}, status="ready",
                    rq_job_id=str(uuid.uuid4()), input_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                    snapshot={"subject": "Kiểm tra công tác cải cách hành chính"}, template_version="test",
                    attachment_id=_stored_pdf("bien-ban-kiem-tra.pdf").id, attempts=1)
    db.session.add(report)
    db.session.flush()
    return report


def new_document_of(anchor: OrgUnit):
    """An issued minutes (number, PDF and signed scan) of an announced inspection the anchor ordered."""
    inspection = new_inspection_of(anchor)
    number = int(uuid.uuid4().int % 900_000) + 1
    document = Document(kind="minutes", subject_type="inspection", subject_id=inspection.id, params={},
                        unit_id=anchor.id, type_code="BB", year=2026, number=number,
                        number_text=f"{number:02d}/BB-ĐKT", issued_on=date(2026, 3, 2), status="issued",
                        title="Kiểm tra công tác cải cách hành chính", snapshot={}, input_hash="0" * 64,
                        pdf_id=_stored_pdf("bien-ban.pdf").id,
                        signed_scan_id=_stored_pdf("ban-chup.pdf", "signed_scan", anchor.id).id)
    db.session.add(document)
    db.session.flush()
    return document


def new_desk_of(anchor: OrgUnit) -> Desk:
    desk = Desk(unit_id=anchor.id, name="Bộ phận tiếp nhận và trả kết quả", procedures="Chứng thực bản sao",
                token_id=uuid.uuid4().hex[:16])
    db.session.add(desk)
    db.session.flush()
    return desk


def new_answer_at(anchor: OrgUnit) -> Feedback:
    """A complaint about a desk of `anchor`, shared with the unit (so the unit sees it, as a record
    it may read but not triage)."""
    desk = new_desk_of(anchor)
    answer = Feedback(desk_id=desk.id, unit_id=anchor.id, received_on=local_today(), access=2, procedure=3,
                      official=1, result=3, handling=2, comment="Chờ lâu, cán bộ không hướng dẫn",
                      is_complaint=True, is_shared=True)
    db.session.add(answer)
    db.session.flush()
    return answer


RECORD_FACTORIES: dict[type, Callable[[OrgUnit], object]] = {
    OrgUnit: new_unit_under,
    User: new_user_on,
    Plan: new_plan_of,
    Task: new_task_for,
    Attachment: new_task_file_on,
    ChecklistTemplate: lambda anchor: make_template(unit=anchor),
    ChecklistItem: lambda anchor: make_template(unit=anchor).items[0],
    Inspection: new_inspection_of,
    InspectionPlan: new_inspection_plan_of,
    Finding: new_finding_in,
    Correction: new_correction_in,
    Device: new_device_of,
    RemediationAction: new_action_for,
    Report: new_report_about,
    Document: new_document_of,
    Desk: new_desk_of,
    Feedback: new_answer_at,
    ParIndex: make_index,
    ParRound: make_round,
    ParAssessment: make_assessment_with_pack,
    ParScore: make_score,
    ParEvidence: make_evidence,
}
