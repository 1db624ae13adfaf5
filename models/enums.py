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
