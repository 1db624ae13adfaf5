"""Bringing a record into the state where a route's form is drawn.

Many forms appear only in one state and for one role: "Gửi kết quả khắc phục" for the unit's officer
while an action is under way, "Xác nhận" for its head while it waits for them, the result sheet for
the team while an inspection is under way. The records the route walk makes (tests/scenario.py
RECORD_FACTORIES) stand in one state each, so for those routes STAGES says which roles to try and how
to move the records along (on the records themselves, as the factories do, or through the service
that starts the state) before the form is read.

FALLBACK lists the routes the battery may still attack only with generic text fields, each with the
reason; test_forms fails when any other route ends up there, so a new route must get its stage."""

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from openpyxl import Workbook
from sqlalchemy import select

from inspection.auth import second_factor
from inspection.language.formatting import local_today
from models import (
    Document,
    DocumentSignature,
    ExtensionRequest,
    Finding,
    Membership,
    Notification,
    OrgUnit,
    PersonalCertificate,
    RemediationSubmission,
    UnitSigningKey,
    db,
    utcnow,
)
from models.enums import (
    ExtensionStatus,
    InspectionStatus,
    NotificationKind,
    PlanStatus,
    RemediationStatus,
    Role,
    TaskStatus,
)
from tests.factories import make_user

OFFICER, HEAD, LEADER, COORDINATOR, INSPECTOR, ADMIN = (Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.LEADER,
                                                        Role.COORDINATOR, Role.INSPECTOR, Role.ADMIN)


@dataclass(frozen=True)
class Stage:
    roles: tuple[str, ...]  # who tries the route, in this order
    setup: Callable[[dict, object], None] | None = None  # (records by path argument, user): moves them along
    page: Callable[[dict], str] | None = None  # the page drawing the form, when form_pages misses it
    draw: Callable[[dict, object], tuple[str, dict]] | None = None  # a POST whose answer draws the form
    config: dict = field(default_factory=dict)  # app settings while the route is attacked
    valid: dict = field(default_factory=dict)  # fields a user fills for the form to save (tests/hostile/test_forms.py)


def _status(arg: str, status: str, then: Callable | None = None) -> Callable:
    def setup(records: dict, user) -> None:
        records[arg].status = status
        if then:
            then(records[arg])
    return setup


def _unconfirmed(action) -> None:
    """The action's latest round waits for the unit head (submitted by the officer, not confirmed)."""
    for submission in db.session.scalars(select(RemediationSubmission).filter_by(action_id=action.id)):
        submission.confirmed_by_id = submission.confirmed_at = None


def _pending_extension(owner: str, status: str = ExtensionStatus.FORWARDED) -> Callable:
    """An extension request by another officer of the unit, waiting for a leader (forwarded by the
    coordinator) or, `requested`, for the coordinator."""
    def add(record) -> None:
        deadline = record.deadline or local_today()
        asker = make_user(role=OFFICER, unit=db.session.get(OrgUnit, record.unit_id))
        db.session.add(ExtensionRequest(**{owner: record.id}, unit_id=record.unit_id, requested_by_id=asker.id,
                                        current_deadline=deadline, requested_deadline=deadline + timedelta(days=30),
                                        reason="Chờ kinh phí thay máy lấy số", status=status))
        db.session.flush()
    return add


def _inspection(status: str) -> Callable:
    def setup(records: dict, user) -> None:
        inspection = records["inspection_id"]
        inspection.status = status
        if status not in (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED):
            inspection.started_at = utcnow()
        if status not in (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS):
            inspection.minutes_closed_at = utcnow()
    return setup


def _minutes_printed(records: dict, user) -> None:
    """The minutes closed and numbered ("In bản giấy để ký" pressed): the scan's form is drawn."""
    _inspection(InspectionStatus.MINUTES_CLOSED)(records, user)
    inspection = records["inspection_id"]
    number = int(uuid.uuid4().int % 900_000) + 1
    db.session.add(Document(kind="minutes", subject_type="inspection", subject_id=inspection.id, params={},
                            unit_id=inspection.ordering_unit_id, type_code="BB", year=2026, number=number,
                            number_text=f"{number:02d}/BB-ĐKT", issued_on=local_today(), status="issued",
                            title="Kiểm tra công tác cải cách hành chính", snapshot={}, input_hash="0" * 64))
    db.session.flush()


def _with_finding(setup: Callable) -> Callable:
    """The inspection in its state with one finding of its own, so the conclusion form has an item
    per finding and its second save replaces them (the edit path)."""
    def add(records: dict, user) -> None:
        setup(records, user)
        inspection = records["inspection_id"]
        db.session.add(Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, severity="major",
                               description="Chưa niêm yết thủ tục hành chính", client_uuid=str(uuid.uuid4()),
                               description_folded="chua niem yet thu tuc hanh chinh", device_time=utcnow(),
                               recorded_by_id=user.id))
        db.session.flush()
    return add


def _inactive(arg: str) -> Callable:
    def setup(records: dict, user) -> None:
        records[arg].is_active = False
    return setup


def _unshared(records: dict, user) -> None:
    records["answer_id"].is_shared = False


def _detach_scan(records: dict, user) -> None:
    records["document_id"].signed_scan_id = None


def _signed_document(records: dict, user) -> None:
    document = records["document_id"]
    db.session.add(DocumentSignature(document_id=document.id, role="agency", signer_name="Ủy ban nhân dân",
                                     status="valid", pdf_id=document.pdf_id))
    document.signed_pdf_id = document.pdf_id


def _trust_anchor(records: dict, user) -> None:
    from inspection.signing.demo import make_ca
    from inspection.signing.services import install_anchor

    install_anchor(None, make_ca("CA của bộ kiểm thử").pem())


def _unit_key(records: dict, user) -> None:
    db.session.add(UnitSigningKey(unit_id=records["unit_id"].id, token_label="token", key_label="key"))


def _certificate_mapping(records: dict, user) -> None:
    db.session.add(PersonalCertificate(user_id=records["user_id"].id, fingerprint="0" * 64, der=b"cer"))


def _unread(records: dict, user) -> None:
    from inspection.main.notifications import forget_unread

    db.session.add(Notification(user_id=user.id, kind=NotificationKind.SYSTEM, title="Có nhiệm vụ mới được giao"))
    db.session.flush()
    forget_unread()


def _enrolling(records: dict, user) -> None:
    second_factor.start_enrolment(user)


def _failed_job(records: dict, user) -> None:
    """A job that failed on the real queue (the operations page offers to run it again)."""
    from rq import SimpleWorker

    from inspection.data.queue import enqueue, get_queue, get_redis

    enqueue("tests.dashboard.test_ops.explode", "bien-ban.html", retry=0)
    SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)


def _sheet(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _unit_import(records: dict, user) -> tuple[str, dict]:
    home = db.session.scalar(select(Membership.unit_id).where(Membership.user_id == user.id))
    sheet = _sheet([["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"],
                    ["KB-HOSTILE-IMPORT", "Ủy ban nhân dân xã Thử Nghiệm", "Xã", db.session.get(OrgUnit, home).code]])
    return "/admin/import/units", {"file": (sheet, "don-vi.xlsx")}


def _task_import(records: dict, user) -> tuple[str, dict]:
    plan = records["plan_id"]
    sheet = _sheet([["STT", "Lĩnh vực", "Nội dung nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì", "Đơn vị phối hợp",
                     "Thời hạn"],
                    ["1", "TTHC", "Niêm yết công khai thủ tục hành chính", "Báo cáo kết quả",
                     db.session.get(OrgUnit, plan.unit_id).code, "", "15/8/2026"]])
    return f"/plans/{plan.id}/import", {"file": (sheet, "nhiem-vu.xlsx")}


def _record_page(records: dict) -> str:
    return f"/inspections/{records['finding_id'].inspection_id}/record"


def _correction_page(records: dict) -> str:
    return f"/inspections/{records['correction_id'].inspection_id}"


def _par_phase(round_status: str, assessment_status: str | None = None, appraised=None) -> Callable:
    """The score's round in a phase (and its assessment in a state, its score appraised)."""
    def setup(records: dict, user) -> None:
        score = records["score_id"]
        score.assessment.round.status = round_status
        if assessment_status:
            score.assessment.status = assessment_status
        if appraised is not None:
            score.appraised_points, score.appraisal_reason = appraised, "Thiếu văn bản chứng minh"
    return setup


def _frozen_index(records: dict, user) -> None:
    """The index frozen, as opening its round leaves it: the amendment form is drawn."""
    records["index_id"].frozen_at = utcnow()


def _par_import(records: dict, user) -> tuple[str, dict]:
    from inspection.par.imports import COLUMNS
    sheet = _sheet([[label for _, label in COLUMNS],
                    ["1", "Công tác chỉ đạo, điều hành CCHC", "1.1", "Kế hoạch CCHC năm", "1.1.1",
                     "Ban hành kế hoạch CCHC năm đúng thời hạn", 1, "yes_no", None, "Kế hoạch", "", "Phòng Nội vụ"]])
    return "/chi-so-cchc/nhap", {"file": (sheet, "chi-so.xlsx"), "year": "2031", "level": "commune",
                                 "title": "Bộ chỉ số CCHC cấp xã năm 2031"}


LARGE_EXPORT = {"EXPORT_SYNC_MAX_ROWS": -1}  # every list is "too large": the page offering a background file
IN_PROGRESS = RemediationStatus.IN_PROGRESS

STAGES: dict[str, Stage] = {
    # remediation: the action page draws each form for one role in one state
    "remediation.start_action": Stage((OFFICER,), _status("action_id", RemediationStatus.OPEN)),
    "remediation.submit_action": Stage((OFFICER,), _status("action_id", IN_PROGRESS)),
    "remediation.request_extension": Stage((OFFICER,), _status("action_id", IN_PROGRESS)),
    "remediation.confirm_action": Stage((HEAD,), _status("action_id", RemediationStatus.AWAITING_HEAD, _unconfirmed)),
    "remediation.head_return_action": Stage((HEAD,), _status("action_id", RemediationStatus.AWAITING_HEAD,
                                                             _unconfirmed)),
    "remediation.decide_extension": Stage((LEADER,), _status("action_id", IN_PROGRESS,
                                                             _pending_extension("action_id"))),
    "remediation.forward_extension": Stage((COORDINATOR,), _status("action_id", IN_PROGRESS, _pending_extension(
        "action_id", ExtensionStatus.REQUESTED))),
    "remediation.export_actions": Stage((COORDINATOR,), config=LARGE_EXPORT),
    # tasks and plans: the task page and the plan page likewise
    "plans.confirm_task": Stage((HEAD,), _status("task_id", TaskStatus.AWAITING_HEAD)),
    "plans.head_return_task": Stage((HEAD,), _status("task_id", TaskStatus.AWAITING_HEAD)),
    "plans.accept_task": Stage((LEADER,), _status("task_id", TaskStatus.SUBMITTED)),
    "plans.return_task": Stage((LEADER,), _status("task_id", TaskStatus.SUBMITTED)),
    "plans.reopen_task": Stage((LEADER,), _status("task_id", TaskStatus.ACCEPTED)),
    "plans.decide_extension": Stage((LEADER,), _status("task_id", TaskStatus.IN_PROGRESS,
                                                       _pending_extension("task_id"))),
    "plans.forward_extension": Stage((COORDINATOR,), _status("task_id", TaskStatus.IN_PROGRESS, _pending_extension(
        "task_id", ExtensionStatus.REQUESTED))),
    "plans.close_plan": Stage((LEADER, COORDINATOR), _status("plan_id", PlanStatus.ISSUED)),
    "plans.confirm_import": Stage((COORDINATOR, LEADER), draw=_task_import),
    "plans.export_plan": Stage((COORDINATOR,), config=LARGE_EXPORT),
    "plans.export_task_list": Stage((COORDINATOR,), config=LARGE_EXPORT),
    # inspections: the team's pages, by the inspection's stage
    "inspections.announce": Stage((COORDINATOR, LEADER), _inspection(InspectionStatus.PLANNED)),
    "inspections.record_result": Stage((INSPECTOR,), _inspection(InspectionStatus.IN_PROGRESS)),
    "inspections.record_finding": Stage((INSPECTOR,), _inspection(InspectionStatus.IN_PROGRESS)),
    "inspections.close_minutes": Stage((INSPECTOR,), _inspection(InspectionStatus.IN_PROGRESS)),
    "inspections.print_minutes": Stage((INSPECTOR,), _inspection(InspectionStatus.MINUTES_CLOSED)),
    "inspections.attach_minutes_scan": Stage((INSPECTOR,), _minutes_printed),
    "inspections.conclusion": Stage((INSPECTOR,), _with_finding(_inspection(InspectionStatus.MINUTES_CLOSED)),
                                    valid={"deadline": None}),  # a deadline as a date or in days, not both
    "inspections.issue_conclusion": Stage((LEADER,), _inspection(InspectionStatus.CONCLUSION_DRAFTED)),
    "inspections.add_photo": Stage((INSPECTOR,), page=_record_page),
    "inspections.decide_correction": Stage((INSPECTOR,), page=_correction_page),
    "inspections.export_findings": Stage((COORDINATOR,), config=LARGE_EXPORT),
    "inspections.export_inspections": Stage((COORDINATOR,), config=LARGE_EXPORT),
    # documents and PDF renderings
    "reports.attach_scan": Stage((LEADER, COORDINATOR), _detach_scan),
    # the inspected unit issues its remediation report (it reports upward); the leader the conclusion
    "reports.issue_inspection": Stage((HEAD, LEADER)),
    "reports.upload_signed": Stage((LEADER, COORDINATOR)),
    "reports.recheck_signatures": Stage((LEADER, COORDINATOR), _signed_document),
    "admin.install_trust_anchor": Stage((ADMIN,), page=lambda records: "/admin/trust-anchors"),
    "admin.remove_trust_anchor": Stage((ADMIN,), _trust_anchor, page=lambda records: "/admin/trust-anchors"),
    "admin.set_signing_key": Stage((ADMIN,), page=lambda records: "/admin/signing-keys"),
    "admin.remove_signing_key": Stage((ADMIN,), _unit_key, page=lambda records: "/admin/signing-keys"),
    "admin.map_personal_certificate": Stage((ADMIN,), page=lambda records: "/admin/personal-certificates"),
    "admin.revoke_personal_certificate": Stage((ADMIN,), _certificate_mapping,
                                               page=lambda records: "/admin/personal-certificates"),
    "reports.retry": Stage((COORDINATOR, LEADER), _status("report_id", "failed")),
    # citizens' feedback: the share button is drawn while the answer is not yet shared
    "feedback.share_answer": Stage((COORDINATOR,), _unshared),
    # administration, account and the rest
    "admin.reactivate_unit": Stage((ADMIN,), _inactive("unit_id")),
    "admin.reactivate_user": Stage((ADMIN,), _inactive("user_id")),
    "admin.import_confirm": Stage((ADMIN,), draw=_unit_import),
    "admin.export_audit": Stage((ADMIN,), config=LARGE_EXPORT),
    "auth.enrol_totp": Stage((OFFICER,), _enrolling),
    "main.notifications_read": Stage((OFFICER,), _unread),
    "main.notification_open": Stage((OFFICER,), _unread),
    "dashboard.retry_job": Stage((ADMIN,), _failed_job),
    # Chỉ số CCHC: a score's forms by the round's phase
    "par.add_evidence": Stage((OFFICER,), _par_phase("self_assessment", "draft"),
                              valid={"link_type": "", "link_id": ""}),  # a file, not a link to a record
    "par.save_assessment": Stage((HEAD,), valid={"points": "0"}),  # within every sub-criterion's range
    "par.reply_score": Stage((OFFICER,), _par_phase("explanation", appraised=0)),
    "par.appraise_score": Stage((INSPECTOR,)),
    "par.publish_round": Stage((LEADER,), _status("round_id", "decision")),
    "par.remediation_plan": Stage((COORDINATOR,), _status("round_id", "published")),
    "par.inspection_checklist": Stage((COORDINATOR,), _status("round_id", "published")),
    "par.confirm_import": Stage((COORDINATOR,), draw=_par_import),
    "par.amend_index": Stage((COORDINATOR,), _frozen_index),
    "dashboard.retry_report": Stage((ADMIN,), _status("report_id", "failed"), page=lambda records: "/admin/ops"),
}

# Routes attacked only through GENERIC_FIELDS, and why that is all they take.
FALLBACK: dict[str, str] = {}
