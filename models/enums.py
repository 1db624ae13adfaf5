"""Every state vocabulary of DESIGN.md's "One vocabulary": value, Vietnamese label, badge colour."""

import enum


def N_(text: str) -> str:
    """Marks a label for the message catalog (pybabel -k N_); templates translate it with _()."""
    return text


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    COORDINATOR = "coordinator"
    INSPECTOR = "inspector"
    UNIT_HEAD = "unit_head"
    UNIT_OFFICER = "unit_officer"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: N_("Quản trị hệ thống"),
    Role.LEADER: N_("Lãnh đạo UBND"),
    Role.COORDINATOR: N_("Đầu mối CCHC"),
    Role.INSPECTOR: N_("Thành viên đoàn kiểm tra"),
    Role.UNIT_HEAD: N_("Thủ trưởng đơn vị"),
    Role.UNIT_OFFICER: N_("Cán bộ, công chức đơn vị"),
    Role.VIEWER: N_("Người xem"),
}


class UnitKind(enum.StrEnum):
    """Levels are data: the kinds only say how a unit is labelled and grouped."""

    PROVINCE = "province"
    PEOPLES_COMMITTEE = "peoples_committee"
    DEPARTMENT = "department"
    SERVICE_UNIT = "service_unit"
    DISTRICT = "district"
    COMMUNE = "commune"
    WARD = "ward"
    TOWNSHIP = "township"
    SPECIAL_ZONE = "special_zone"
    OTHER = "other"


UNIT_KIND_LABELS = {
    UnitKind.PROVINCE: N_("Tỉnh, thành phố"),
    UnitKind.PEOPLES_COMMITTEE: N_("Ủy ban nhân dân"),
    UnitKind.DEPARTMENT: N_("Cơ quan chuyên môn"),
    UnitKind.SERVICE_UNIT: N_("Đơn vị sự nghiệp"),
    UnitKind.DISTRICT: N_("Huyện (trước 01/7/2025)"),
    UnitKind.COMMUNE: N_("Xã"),
    UnitKind.WARD: N_("Phường"),
    UnitKind.TOWNSHIP: N_("Thị trấn (trước 01/7/2025)"),
    UnitKind.SPECIAL_ZONE: N_("Đặc khu"),
    UnitKind.OTHER: N_("Khác"),
}


class NotificationKind(enum.StrEnum):
    ASSIGNED = "assigned"
    DEADLINE_NEAR = "deadline_near"
    OVERDUE = "overdue"
    RETURNED = "returned"
    ANNOUNCED = "announced"
    SYSTEM = "system"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    CLOSED = "closed"


PLAN_STATUS_LABELS = {PlanStatus.DRAFT: N_("Dự thảo"), PlanStatus.ISSUED: N_("Đã ban hành"),
                      PlanStatus.CLOSED: N_("Đã kết thúc")}

PLAN_TRANSITIONS = {PlanStatus.DRAFT: {PlanStatus.ISSUED}, PlanStatus.ISSUED: {PlanStatus.CLOSED}}


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_HEAD = "awaiting_head"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: N_("Chưa thực hiện"),
    TaskStatus.IN_PROGRESS: N_("Đang thực hiện"),
    TaskStatus.AWAITING_HEAD: N_("Chờ thủ trưởng xác nhận"),
    TaskStatus.SUBMITTED: N_("Chờ duyệt kết quả"),
    TaskStatus.ACCEPTED: N_("Hoàn thành"),
    TaskStatus.RETURNED: N_("Trả lại"),
    TaskStatus.CANCELLED: N_("Hủy"),
}

UNFINISHED_TASK = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.AWAITING_HEAD,
                             TaskStatus.SUBMITTED, TaskStatus.RETURNED})

# Each arrow is taken by one service function of inspection/plans/workflow.py (start_task by the first
# report_progress), cancel_task by inspection/plans/assignments.py; anything else is refused.
TASK_TRANSITIONS = {
    "start_task": ({TaskStatus.OPEN, TaskStatus.RETURNED}, TaskStatus.IN_PROGRESS),
    "submit_task": ({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED}, TaskStatus.AWAITING_HEAD),
    "confirm_task": ({TaskStatus.AWAITING_HEAD}, TaskStatus.SUBMITTED),
    "accept_task": ({TaskStatus.SUBMITTED}, TaskStatus.ACCEPTED),
    "return_task": ({TaskStatus.SUBMITTED, TaskStatus.AWAITING_HEAD}, TaskStatus.RETURNED),
    "reopen_task": ({TaskStatus.ACCEPTED}, TaskStatus.IN_PROGRESS),
    "cancel_task": (set(UNFINISHED_TASK), TaskStatus.CANCELLED),
}


class Timeliness(enum.StrEnum):
    """Derived, never stored: the Government Office's vocabulary plus "chờ duyệt"."""

    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    AWAITING_REVIEW = "awaiting_review"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    CANCELLED = "cancelled"


TIMELINESS_LABELS = {
    Timeliness.ON_TRACK: N_("Trong hạn"),
    Timeliness.OVERDUE: N_("Quá hạn chưa hoàn thành"),
    Timeliness.AWAITING_REVIEW: N_("Chờ duyệt"),
    Timeliness.DONE_ON_TIME: N_("Hoàn thành đúng hạn"),
    Timeliness.DONE_LATE: N_("Hoàn thành quá hạn"),
    Timeliness.CANCELLED: N_("Hủy"),
}

# The finding tied to no criterion: one name on the tablet, the screens and the documents.
FREE_FINDING_LABEL = N_("Tồn tại khác (không gắn tiêu chí)")

TIMELINESS_COLOURS = {
    Timeliness.ON_TRACK: "blue", Timeliness.OVERDUE: "red", Timeliness.AWAITING_REVIEW: "amber",
    Timeliness.DONE_ON_TIME: "green", Timeliness.DONE_LATE: "orange", Timeliness.CANCELLED: "grey",
}


class ExtensionStatus(enum.StrEnum):
    """An extension request (task or remediation action): requested → forwarded (the coordinator's
    opinion) → approved | refused (a leader); the leader decides a requested one directly where
    the coordinator step is skipped (EXTENSION_COORDINATOR_STEP)."""

    REQUESTED = "requested"
    FORWARDED = "forwarded"
    APPROVED = "approved"
    REFUSED = "refused"


PENDING_EXTENSION = (ExtensionStatus.REQUESTED, ExtensionStatus.FORWARDED)  # at most one per subject (index)
EXTENSION_STATUS_LABELS = {ExtensionStatus.REQUESTED: N_("Chờ chuyển lãnh đạo"),
                           ExtensionStatus.FORWARDED: N_("Chờ lãnh đạo quyết định"),
                           ExtensionStatus.APPROVED: N_("Đã gia hạn"),
                           ExtensionStatus.REFUSED: N_("Không chấp thuận gia hạn")}
FORWARD_OPINIONS = {"agree": N_("Đề xuất đồng ý"), "disagree": N_("Đề xuất không đồng ý")}


class InspectionKind(enum.StrEnum):
    SCHEDULED = "scheduled"
    SURPRISE = "surprise"
    THEMATIC = "thematic"


INSPECTION_KIND_LABELS = {InspectionKind.SCHEDULED: N_("Thường xuyên (theo kế hoạch)"),
                          InspectionKind.SURPRISE: N_("Đột xuất"), InspectionKind.THEMATIC: N_("Chuyên đề")}


class InspectionStatus(enum.StrEnum):
    PLANNED = "planned"
    ANNOUNCED = "announced"
    IN_PROGRESS = "in_progress"
    MINUTES_CLOSED = "minutes_closed"
    CONCLUSION_DRAFTED = "conclusion_drafted"
    CONCLUDED = "concluded"
    CLOSED = "closed"
    CANCELLED = "cancelled"


INSPECTION_STATUS_LABELS = {
    InspectionStatus.PLANNED: N_("Dự kiến"),
    InspectionStatus.ANNOUNCED: N_("Đã thông báo"),
    InspectionStatus.IN_PROGRESS: N_("Đang kiểm tra"),
    InspectionStatus.MINUTES_CLOSED: N_("Đã lập biên bản"),
    InspectionStatus.CONCLUSION_DRAFTED: N_("Đã dự thảo kết luận"),
    InspectionStatus.CONCLUDED: N_("Đã ban hành kết luận"),
    InspectionStatus.CLOSED: N_("Đã kết thúc"),
    InspectionStatus.CANCELLED: N_("Đã hủy"),
}

INSPECTION_TRANSITIONS = {
    "announce_inspection": ({InspectionStatus.PLANNED}, InspectionStatus.ANNOUNCED),
    "start_inspection": ({InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED}, InspectionStatus.IN_PROGRESS),
    "close_minutes": ({InspectionStatus.IN_PROGRESS}, InspectionStatus.MINUTES_CLOSED),
    "draft_conclusion": ({InspectionStatus.MINUTES_CLOSED, InspectionStatus.CONCLUSION_DRAFTED},
                         InspectionStatus.CONCLUSION_DRAFTED),
    "issue_conclusion": ({InspectionStatus.CONCLUSION_DRAFTED}, InspectionStatus.CONCLUDED),
    "close_inspection": ({InspectionStatus.CONCLUDED}, InspectionStatus.CLOSED),
    "cancel_inspection": ({InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED}, InspectionStatus.CANCELLED),
}


class CheckValue(enum.StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    NOT_APPLICABLE = "not_applicable"


CHECK_VALUE_LABELS = {CheckValue.COMPLIANT: N_("Đạt"), CheckValue.NON_COMPLIANT: N_("Không đạt"),
                      CheckValue.NOT_APPLICABLE: N_("Không áp dụng")}


class Severity(enum.StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


# The severity scale of a shortcoming (tồn tại, hạn chế): how urgently it must be fixed, in the words of
# administrative work, not of discipline. An installation names its own (CCHC_SEVERITY_SCALE).
SEVERITY_LABELS = {Severity.CRITICAL: N_("Cần khắc phục ngay"), Severity.MAJOR: N_("Cần khắc phục"),
                   Severity.MINOR: N_("Lưu ý")}


def set_severity_scale(labels: list[str]) -> None:
    """The installation's own words for the scale, most urgent first (critical, major, minor)."""
    for severity, label in zip((Severity.CRITICAL, Severity.MAJOR, Severity.MINOR), labels, strict=False):
        if label.strip():
            SEVERITY_LABELS[severity] = label.strip()


class CorrectionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


CORRECTION_STATUS_LABELS = {CorrectionStatus.PENDING: N_("Chờ trưởng đoàn duyệt"),
                            CorrectionStatus.ACCEPTED: N_("Đã chấp nhận (biên bản bổ sung)"),
                            CorrectionStatus.REJECTED: N_("Không chấp nhận")}
# Why a write from the tablet became a pending correction instead of applying directly.
CORRECTION_REASON_LABELS = {
    "minutes_closed": N_("Biên bản đã được lập (khóa) trước khi dữ liệu về đến máy chủ"),
    "changed_meanwhile": N_("Thành viên khác đã sửa kết quả tiêu chí này trong lúc máy chưa đồng bộ"),
}


class RemediationStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_HEAD = "awaiting_head"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


REMEDIATION_STATUS_LABELS = {
    RemediationStatus.OPEN: N_("Chưa khắc phục"),
    RemediationStatus.IN_PROGRESS: N_("Đang khắc phục"),
    RemediationStatus.AWAITING_HEAD: N_("Chờ thủ trưởng xác nhận"),
    RemediationStatus.SUBMITTED: N_("Chờ đoàn kiểm tra đánh giá"),
    RemediationStatus.ACCEPTED: N_("Đã khắc phục (chấp nhận)"),
    RemediationStatus.RETURNED: N_("Trả lại"),
}

# Each arrow is one service function in inspection/remediation/services.py.
REMEDIATION_TRANSITIONS = {
    "start_action": ({RemediationStatus.OPEN, RemediationStatus.RETURNED}, RemediationStatus.IN_PROGRESS),
    "submit_action": ({RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS, RemediationStatus.RETURNED},
                      RemediationStatus.AWAITING_HEAD),
    "confirm_action": ({RemediationStatus.AWAITING_HEAD}, RemediationStatus.SUBMITTED),
    "accept_action": ({RemediationStatus.SUBMITTED}, RemediationStatus.ACCEPTED),
    "return_action": ({RemediationStatus.SUBMITTED, RemediationStatus.AWAITING_HEAD}, RemediationStatus.RETURNED),
}
