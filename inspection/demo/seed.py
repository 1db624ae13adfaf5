"""The demo province after the reform of 01/7/2025 (two-tier local government): UBND tỉnh Đồng
Tháp, Sở Nội vụ as its reform focal point (coordinator, inspection team), departments (sở),
service units and communes — xã An Phước formed by the merger of xã An Hòa and xã Phước Lộc, whose
2024 history stays under the abolished huyện Tân Hồng.

Only the `demo` profile loads it; the demo sign-ins are for trying the product only. Unit codes
(TH, TH-NV, TH-ANPHUOC, …) are the demo's identifiers from before the reshape, kept for its users."""

from datetime import date

from sqlalchemy import select

from models import Membership, OrgUnit, User, db
from models.enums import Role, UnitKind

from ..auth.passwords import hash_password
from ..data.transaction import unit_of_work
from ..errors import Forbidden
from ..language.text import fold
from ..security import audit
from .checklists import seed_templates
from .history import seed_history
from .inspections import seed_inspections
from .par import seed_par
from .plans import seed_plans

DEMO_PASSWORD = "demo-tan-hong"  # meets the password policy, as any password a user chooses must
PROVINCE_PLACE = "Đồng Tháp"  # the place of a provincial body's documents
MERGED_ON = date(2025, 7, 1)

# (code, name, short name, kind, parent code, place name, filing code, signature authorities)
UNITS = [
    ("DT", "Tỉnh Đồng Tháp", "Đồng Tháp", UnitKind.PROVINCE, None, PROVINCE_PLACE, "", ""),
    ("TH", "Ủy ban nhân dân tỉnh Đồng Tháp", "UBND tỉnh Đồng Tháp", UnitKind.PEOPLES_COMMITTEE, "DT",
     PROVINCE_PLACE, "", "TM,KT,TL,TUQ,Q"),
    ("TH-VP", "Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng UBND tỉnh", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE,
     "VP", "KT,TL,Q"),
    ("TH-NV", "Sở Nội vụ", "Sở Nội vụ", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE, "SNV", "KT,TL,Q"),
    ("TH-TP", "Sở Tư pháp", "Sở Tư pháp", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE, "STP", "KT,TL,Q"),
    ("TH-TCKH", "Sở Tài chính", "Sở Tài chính", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE, "STC", "KT,TL,Q"),
    ("TH-TNMT", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE, "SNNMT",
     "KT,TL,Q"),
    ("TH-LDTBXH", "Sở Y tế", "Sở Y tế", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE, "SYT", "KT,TL,Q"),
    ("TH-VHTT", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL", UnitKind.DEPARTMENT, "TH", PROVINCE_PLACE,
     "SVHTTDL", "KT,TL,Q"),
    ("TH-TTVH", "Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm PVHCC", UnitKind.SERVICE_UNIT, "TH",
     PROVINCE_PLACE, "TTPVHCC", "KT"),
    ("TH-QLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Ban QLDA", UnitKind.SERVICE_UNIT, "TH", PROVINCE_PLACE,
     "BQLDA", "KT"),
    ("TH-SARAI", "Ủy ban nhân dân xã Tân Hồng", "UBND xã Tân Hồng", UnitKind.COMMUNE, "TH", "Tân Hồng", "VP",
     "TM,KT"),
    ("TH-TANHOCO", "Ủy ban nhân dân xã Tân Hộ Cơ", "UBND xã Tân Hộ Cơ", UnitKind.COMMUNE, "TH", "Tân Hộ Cơ",
     "VP", "TM,KT"),
    ("TH-THONGBINH", "Ủy ban nhân dân xã Thông Bình", "UBND xã Thông Bình", UnitKind.COMMUNE, "TH", "Thông Bình",
     "VP", "TM,KT"),
    ("TH-BINHPHU", "Ủy ban nhân dân xã Bình Phú", "UBND xã Bình Phú", UnitKind.COMMUNE, "TH", "Bình Phú", "VP",
     "TM,KT"),
    ("TH-TANTHANHA", "Ủy ban nhân dân xã Tân Thành A", "UBND xã Tân Thành A", UnitKind.COMMUNE, "TH",
     "Tân Thành A", "VP", "TM,KT"),
    ("TH-TANTHANHB", "Ủy ban nhân dân xã Tân Thành B", "UBND xã Tân Thành B", UnitKind.COMMUNE, "TH",
     "Tân Thành B", "VP", "TM,KT"),
    ("TH-TANCONGCHI", "Ủy ban nhân dân xã Tân Công Chí", "UBND xã Tân Công Chí", UnitKind.COMMUNE, "TH",
     "Tân Công Chí", "VP", "TM,KT"),
    ("TH-ANPHUOC", "Ủy ban nhân dân xã An Phước", "UBND xã An Phước", UnitKind.COMMUNE, "TH", "An Phước", "VP",
     "TM,KT"),
    ("TH-TANPHUOC", "Ủy ban nhân dân xã Tân Phước", "UBND xã Tân Phước", UnitKind.COMMUNE, "TH", "Tân Phước",
     "VP", "TM,KT"),
]

# (username, full name, title, [(role, unit code)])
USERS = [
    ("admin", "Trần Quốc Bảo", "Quản trị hệ thống", [(Role.ADMIN, "DT")]),
    ("leader", "Nguyễn Văn Hòa", "Phó Chủ tịch UBND tỉnh", [(Role.LEADER, "TH")]),
    ("coordinator", "Lê Thị Thu Trang", "Chuyên viên Sở Nội vụ (đầu mối CCHC)",
     [(Role.COORDINATOR, "TH")]),
    ("inspector", "Phạm Minh Tuấn", "Chuyên viên Sở Nội vụ, thành viên Đoàn kiểm tra",
     [(Role.INSPECTOR, "TH-NV")]),
    ("officer", "Võ Thị Ngọc Hân", "Công chức Văn phòng HĐND và UBND xã An Phước",
     [(Role.UNIT_OFFICER, "TH-ANPHUOC")]),
    ("head", "Đặng Văn Lợi", "Chủ tịch UBND xã An Phước", [(Role.UNIT_HEAD, "TH-ANPHUOC")]),
    ("truongphongnv", "Huỳnh Thanh Phong", "Giám đốc Sở Nội vụ", [(Role.UNIT_HEAD, "TH-NV")]),
    ("chanhvanphong", "Ngô Thị Mỹ Linh", "Chánh Văn phòng UBND tỉnh", [(Role.UNIT_HEAD, "TH-VP")]),
    ("chutichsarai", "Bùi Văn Thắng", "Chủ tịch UBND xã Tân Hồng", [(Role.UNIT_HEAD, "TH-SARAI")]),
    ("congchucsarai", "Trương Thị Kim Yến", "Công chức Văn phòng HĐND và UBND xã Tân Hồng",
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
        seed_history(units, users)  # huyện Tân Hồng and the communes merged into xã An Phước
        audit.record(None, "demo.seeded", "system", "demo", after={"units": len(units)})
    return True


def _create_units() -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for code, name, short, kind, parent, place, filing, authorities in UNITS:
        unit = OrgUnit(code=code, name=name, name_folded=fold(name), short_name=short, kind=kind,
                       parent_id=units[parent].id if parent else None, place_name=place, doc_code=filing,
                       signing_authorities=authorities,
                       valid_from=MERGED_ON if code == "TH-ANPHUOC" else date(2004, 1, 1))
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
