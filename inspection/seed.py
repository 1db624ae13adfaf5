"""The demo district, built from the seed articles: huyện Tân Hồng, tỉnh Đồng Tháp.

Only the `demo` profile loads it; the demo sign-ins are for trying the product only."""

from datetime import date

from sqlalchemy import select

from models import Membership, OrgUnit, User, db
from models.enums import Role, UnitKind

from . import audit
from .auth.passwords import hash_password
from .errors import Forbidden
from .seed_inspections import seed_inspections
from .seed_par import seed_par
from .seed_plans import seed_plans
from .seed_templates import seed_templates
from .text import fold
from .transaction import unit_of_work

DEMO_PASSWORD = "demo-tan-hong"  # meets the password policy, as any password a user chooses must

# (code, name, short name, kind, parent code)
UNITS = [
    ("DT", "Tỉnh Đồng Tháp", "Đồng Tháp", UnitKind.PROVINCE, None),
    ("TH", "Ủy ban nhân dân huyện Tân Hồng", "UBND huyện Tân Hồng", UnitKind.PEOPLES_COMMITTEE, "DT"),
    ("TH-VP", "Văn phòng HĐND và UBND huyện", "Văn phòng HĐND và UBND", UnitKind.DEPARTMENT, "TH"),
    ("TH-NV", "Phòng Nội vụ huyện Tân Hồng", "Phòng Nội vụ", UnitKind.DEPARTMENT, "TH"),
    ("TH-TP", "Phòng Tư pháp huyện Tân Hồng", "Phòng Tư pháp", UnitKind.DEPARTMENT, "TH"),
    ("TH-TCKH", "Phòng Tài chính - Kế hoạch huyện Tân Hồng", "Phòng Tài chính - Kế hoạch",
     UnitKind.DEPARTMENT, "TH"),
    ("TH-TNMT", "Phòng Tài nguyên và Môi trường huyện Tân Hồng", "Phòng TN&MT", UnitKind.DEPARTMENT, "TH"),
    ("TH-LDTBXH", "Phòng Lao động - Thương binh và Xã hội huyện Tân Hồng", "Phòng LĐTB&XH",
     UnitKind.DEPARTMENT, "TH"),
    ("TH-VHTT", "Phòng Văn hóa và Thông tin huyện Tân Hồng", "Phòng VH&TT", UnitKind.DEPARTMENT, "TH"),
    ("TH-TTVH", "Trung tâm Văn hóa - Thể thao và Truyền thanh huyện Tân Hồng", "Trung tâm VH-TT&TT",
     UnitKind.SERVICE_UNIT, "TH"),
    ("TH-QLDA", "Ban Quản lý dự án đầu tư xây dựng huyện Tân Hồng", "Ban QLDA", UnitKind.SERVICE_UNIT, "TH"),
    ("TH-SARAI", "Ủy ban nhân dân thị trấn Sa Rài", "UBND thị trấn Sa Rài", UnitKind.TOWNSHIP, "TH"),
    ("TH-TANHOCO", "Ủy ban nhân dân xã Tân Hộ Cơ", "UBND xã Tân Hộ Cơ", UnitKind.COMMUNE, "TH"),
    ("TH-THONGBINH", "Ủy ban nhân dân xã Thông Bình", "UBND xã Thông Bình", UnitKind.COMMUNE, "TH"),
    ("TH-BINHPHU", "Ủy ban nhân dân xã Bình Phú", "UBND xã Bình Phú", UnitKind.COMMUNE, "TH"),
    ("TH-TANTHANHA", "Ủy ban nhân dân xã Tân Thành A", "UBND xã Tân Thành A", UnitKind.COMMUNE, "TH"),
    ("TH-TANTHANHB", "Ủy ban nhân dân xã Tân Thành B", "UBND xã Tân Thành B", UnitKind.COMMUNE, "TH"),
    ("TH-TANCONGCHI", "Ủy ban nhân dân xã Tân Công Chí", "UBND xã Tân Công Chí", UnitKind.COMMUNE, "TH"),
    ("TH-ANPHUOC", "Ủy ban nhân dân xã An Phước", "UBND xã An Phước", UnitKind.COMMUNE, "TH"),
    ("TH-TANPHUOC", "Ủy ban nhân dân xã Tân Phước", "UBND xã Tân Phước", UnitKind.COMMUNE, "TH"),
]

# (username, full name, title, [(role, unit code)])
USERS = [
    ("admin", "Trần Quốc Bảo", "Quản trị hệ thống", [(Role.ADMIN, "DT")]),
    ("leader", "Nguyễn Văn Hòa", "Phó Chủ tịch UBND huyện", [(Role.LEADER, "TH")]),
    ("coordinator", "Lê Thị Thu Trang", "Chuyên viên Phòng Nội vụ (đầu mối CCHC)",
     [(Role.COORDINATOR, "TH")]),
    ("inspector", "Phạm Minh Tuấn", "Chuyên viên Phòng Nội vụ, thành viên Đoàn kiểm tra",
     [(Role.INSPECTOR, "TH-NV")]),
    ("officer", "Võ Thị Ngọc Hân", "Công chức Văn phòng - Thống kê xã An Phước",
     [(Role.UNIT_OFFICER, "TH-ANPHUOC")]),
    ("head", "Đặng Văn Lợi", "Chủ tịch UBND xã An Phước", [(Role.UNIT_HEAD, "TH-ANPHUOC")]),
    ("truongphongnv", "Huỳnh Thanh Phong", "Trưởng phòng Nội vụ", [(Role.UNIT_HEAD, "TH-NV")]),
    ("chanhvanphong", "Ngô Thị Mỹ Linh", "Chánh Văn phòng HĐND và UBND huyện", [(Role.UNIT_HEAD, "TH-VP")]),
    ("chutichsarai", "Bùi Văn Thắng", "Chủ tịch UBND thị trấn Sa Rài", [(Role.UNIT_HEAD, "TH-SARAI")]),
    ("congchucsarai", "Trương Thị Kim Yến", "Công chức Tư pháp - Hộ tịch thị trấn Sa Rài",
     [(Role.UNIT_OFFICER, "TH-SARAI")]),
]

DEMO_LOGINS = [(u[0], u[2]) for u in USERS[:6]]


def seed_demo(profile: str) -> bool:
    """Load the demo district unless already there; refused outside the demo profile."""
    if profile != "demo":
        raise Forbidden("Dữ liệu mẫu chỉ dùng cho cấu hình demo, không nạp vào hệ thống thật.")
    if db.session.execute(select(OrgUnit.id).where(OrgUnit.code == "TH")).first():
        return False
    with unit_of_work():
        units = _create_units()
        users = _create_users(units)
        seed_plans(units, users)
        seed_templates(units, users)
        seed_inspections(units, users)  # after the checklist templates
        seed_par(units, users)  # after the tasks and inspections its computed criteria count
        audit.record(None, "demo.seeded", "system", "demo", after={"units": len(units)})
    return True


def _create_units() -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for code, name, short, kind, parent in UNITS:
        unit = OrgUnit(code=code, name=name, name_folded=fold(name), short_name=short, kind=kind,
                       parent_id=units[parent].id if parent else None, place_name="Tân Hồng",
                       valid_from=date(2004, 1, 1))
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
    return units


def _create_users(units: dict[str, OrgUnit]) -> dict[str, User]:
    password = hash_password(DEMO_PASSWORD)
    users = {}
    for username, full_name, title, roles in USERS:
        user = User(username=username, full_name=full_name, full_name_folded=fold(full_name),
                    title=title, password_hash=password, email=f"{username}@tanhong.example")
        user.memberships = [Membership(role=role, unit_id=units[code].id) for role, code in roles]
        db.session.add(user)
        users[username] = user
    db.session.flush()
    return users
