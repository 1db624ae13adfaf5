"""Every state vocabulary of DESIGN.md's "One vocabulary": value, Vietnamese label, badge colour."""

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    COORDINATOR = "coordinator"
    INSPECTOR = "inspector"
    UNIT_HEAD = "unit_head"
    UNIT_OFFICER = "unit_officer"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.LEADER: "Lãnh đạo UBND",
    Role.COORDINATOR: "Đầu mối CCHC",
    Role.INSPECTOR: "Thành viên đoàn kiểm tra",
    Role.UNIT_HEAD: "Thủ trưởng đơn vị",
    Role.UNIT_OFFICER: "Cán bộ, công chức đơn vị",
    Role.VIEWER: "Người xem",
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
    UnitKind.PROVINCE: "Tỉnh, thành phố",
    UnitKind.PEOPLES_COMMITTEE: "Ủy ban nhân dân",
    UnitKind.DEPARTMENT: "Cơ quan chuyên môn",
    UnitKind.SERVICE_UNIT: "Đơn vị sự nghiệp",
    UnitKind.DISTRICT: "Huyện (trước 01/7/2025)",
    UnitKind.COMMUNE: "Xã",
    UnitKind.WARD: "Phường",
    UnitKind.TOWNSHIP: "Thị trấn (trước 01/7/2025)",
    UnitKind.SPECIAL_ZONE: "Đặc khu",
    UnitKind.OTHER: "Khác",
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


PLAN_STATUS_LABELS = {PlanStatus.DRAFT: "Dự thảo", PlanStatus.ISSUED: "Đã ban hành", PlanStatus.CLOSED: "Đã kết thúc"}

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
    TaskStatus.OPEN: "Chưa thực hiện",
    TaskStatus.IN_PROGRESS: "Đang thực hiện",
    TaskStatus.AWAITING_HEAD: "Chờ thủ trưởng xác nhận",
    TaskStatus.SUBMITTED: "Chờ duyệt kết quả",
    TaskStatus.ACCEPTED: "Hoàn thành",
    TaskStatus.RETURNED: "Trả lại",
    TaskStatus.CANCELLED: "Hủy",
}

UNFINISHED_TASK = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.AWAITING_HEAD,
                             TaskStatus.SUBMITTED, TaskStatus.RETURNED})

# Each arrow is one service function in inspection/plans/services.py; anything else is refused.
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
    Timeliness.ON_TRACK: "Trong hạn",
    Timeliness.OVERDUE: "Quá hạn chưa hoàn thành",
    Timeliness.AWAITING_REVIEW: "Chờ duyệt",
    Timeliness.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Timeliness.DONE_LATE: "Hoàn thành quá hạn",
    Timeliness.CANCELLED: "Hủy",
}

TIMELINESS_COLOURS = {
    Timeliness.ON_TRACK: "blue", Timeliness.OVERDUE: "red", Timeliness.AWAITING_REVIEW: "amber",
    Timeliness.DONE_ON_TIME: "green", Timeliness.DONE_LATE: "orange", Timeliness.CANCELLED: "grey",
}


class ExtensionStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


EXTENSION_STATUS_LABELS = {ExtensionStatus.REQUESTED: "Đề nghị gia hạn", ExtensionStatus.APPROVED: "Đã gia hạn",
                           ExtensionStatus.REFUSED: "Không chấp thuận gia hạn"}


class InspectionKind(enum.StrEnum):
    SCHEDULED = "scheduled"
    SURPRISE = "surprise"
    THEMATIC = "thematic"


INSPECTION_KIND_LABELS = {InspectionKind.SCHEDULED: "Thường xuyên (theo kế hoạch)",
                          InspectionKind.SURPRISE: "Đột xuất", InspectionKind.THEMATIC: "Chuyên đề"}


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
    InspectionStatus.PLANNED: "Dự kiến",
    InspectionStatus.ANNOUNCED: "Đã thông báo",
    InspectionStatus.IN_PROGRESS: "Đang kiểm tra",
    InspectionStatus.MINUTES_CLOSED: "Đã lập biên bản",
    InspectionStatus.CONCLUSION_DRAFTED: "Đã dự thảo kết luận",
    InspectionStatus.CONCLUDED: "Đã ban hành kết luận",
    InspectionStatus.CLOSED: "Đã kết thúc",
    InspectionStatus.CANCELLED: "Đã hủy",
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


CHECK_VALUE_LABELS = {CheckValue.COMPLIANT: "Đạt", CheckValue.NON_COMPLIANT: "Không đạt",
                      CheckValue.NOT_APPLICABLE: "Không áp dụng"}


class Severity(enum.StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


SEVERITY_LABELS = {Severity.MINOR: "Nhẹ", Severity.MAJOR: "Nghiêm trọng", Severity.CRITICAL: "Rất nghiêm trọng"}


class CorrectionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


CORRECTION_STATUS_LABELS = {CorrectionStatus.PENDING: "Chờ trưởng đoàn duyệt",
                            CorrectionStatus.ACCEPTED: "Đã chấp nhận (biên bản bổ sung)",
                            CorrectionStatus.REJECTED: "Không chấp nhận"}


class RemediationStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_HEAD = "awaiting_head"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


REMEDIATION_STATUS_LABELS = {
    RemediationStatus.OPEN: "Chưa khắc phục",
    RemediationStatus.IN_PROGRESS: "Đang khắc phục",
    RemediationStatus.AWAITING_HEAD: "Chờ thủ trưởng xác nhận",
    RemediationStatus.SUBMITTED: "Chờ đoàn kiểm tra đánh giá",
    RemediationStatus.ACCEPTED: "Đã khắc phục (chấp nhận)",
    RemediationStatus.RETURNED: "Trả lại",
}
