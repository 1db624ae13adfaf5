"""The demo's history from before the reform of 01/7/2025: huyện Tân Hồng (abolished, its records
kept) and xã An Hòa and xã Phước Lộc, merged into xã An Phước, with their 2024 inspection."""

from datetime import date

from models import Inspection, InspectionMember, OrgUnit, User, db
from models.enums import InspectionKind, InspectionStatus, UnitKind

from ..language.text import fold
from .inspections import _any_template, _at, _walk

LAST_DAY = date(2025, 6, 30)
# (code, name, short name, kind, parent code, place name)
HISTORY = [
    ("HTH", "Ủy ban nhân dân huyện Tân Hồng", "UBND huyện Tân Hồng", UnitKind.DISTRICT, "TH", "Tân Hồng"),
    ("HTH-ANHOA", "Ủy ban nhân dân xã An Hòa", "UBND xã An Hòa", UnitKind.COMMUNE, "HTH", "An Hòa"),
    ("HTH-PHUOCLOC", "Ủy ban nhân dân xã Phước Lộc", "UBND xã Phước Lộc", UnitKind.COMMUNE, "HTH", "Phước Lộc"),
]
FINDING_2024 = ("Chưa công khai số điện thoại đường dây nóng tại Bộ phận một cửa", "minor",
                "Niêm yết số điện thoại đường dây nóng tại Bộ phận một cửa")


def seed_history(units: dict[str, OrgUnit], users: dict[str, User]) -> None:
    for code, name, short, kind, parent, place in HISTORY:
        successor = units["TH-ANPHUOC"].id if parent == "HTH" else None
        unit = OrgUnit(code=code, name=name, name_folded=fold(name), short_name=short, kind=kind,
                       parent_id=units[parent].id, place_name=place, valid_from=date(2004, 1, 1), valid_to=LAST_DAY,
                       successor_id=successor, is_active=False, doc_code="VP", signing_authorities="TM,KT")
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
    _inspection_2024(units, users)


def _inspection_2024(units, users) -> None:
    """Huyện Tân Hồng's 2024 inspection of xã An Hòa: concluded, remedied, closed."""
    template = _any_template()
    if template is None:
        return
    day, target = date(2024, 6, 12), units["HTH-ANHOA"]
    title = f"Kiểm tra công tác cải cách hành chính năm 2024 tại {target.name}"
    inspection = Inspection(unit_id=target.id, ordering_unit_id=units["HTH"].id, start_on=day, end_on=day,
                            template_id=template.id, title=title, title_folded=fold(title), number="05/ĐKT",
                            decision_ref="Quyết định số 85/QĐ-UBND", kind=InspectionKind.SCHEDULED,
                            created_by_id=users["coordinator"].id, location="Trụ sở UBND xã An Hòa")
    inspection.members = [InspectionMember(user_id=users["inspector"].id, role="lead")]
    inspection.announced_at = _at(date(2024, 6, 5), 8)
    db.session.add(inspection)
    db.session.flush()
    _walk(inspection, template, users, [FINDING_2024])
    inspection.status = InspectionStatus.CLOSED
