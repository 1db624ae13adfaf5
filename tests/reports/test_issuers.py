"""Who issues a document (Nghị định 30/2020, Phụ lục I) for every kind of unit after 2025:
a province or commune/ward/special zone issues as its People's Committee ("Số: 01/TB-UBND",
"TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"); an agency under the province committee by its own
abbreviation and head ("Số: 01/TB-SNV", "GIÁM ĐỐC")."""

import pytest
from flask import current_app

from inspection.admin.bootstrap import create_first_admin
from inspection.reports import services
from inspection.reports.snapshots import header, number_text, signature
from models.enums import Role, UnitKind
from tests.factories import make_plan, make_task, make_unit, make_user

from .support import pdf_text, run_jobs, stored_bytes

COMMITTEE = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
DEPUTY_CHAIR = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]

# (name, kind, parent: None = the province, issuing body, issuer code, signature of the head, of a deputy)
ISSUERS = [
    ("Ủy ban nhân dân xã An Phước", UnitKind.COMMUNE, "ỦY BAN NHÂN DÂN XÃ AN PHƯỚC", "UBND", COMMITTEE, DEPUTY_CHAIR),
    ("Phường Sa Đéc", UnitKind.WARD, "ỦY BAN NHÂN DÂN PHƯỜNG SA ĐÉC", "UBND", COMMITTEE, DEPUTY_CHAIR),
    ("Ủy ban nhân dân đặc khu Phú Quốc", UnitKind.SPECIAL_ZONE, "ỦY BAN NHÂN DÂN ĐẶC KHU PHÚ QUỐC", "UBND",
     COMMITTEE, DEPUTY_CHAIR),
    ("Sở Nội vụ", UnitKind.DEPARTMENT, "SỞ NỘI VỤ", "SNV", ["GIÁM ĐỐC"], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ("Văn phòng Ủy ban nhân dân tỉnh", UnitKind.DEPARTMENT, "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH", "VP",
     ["CHÁNH VĂN PHÒNG"], ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]),
    ("Thanh tra tỉnh", UnitKind.DEPARTMENT, "THANH TRA TỈNH", "TTr", ["CHÁNH THANH TRA"],
     ["KT. CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA"]),
    ("Trung tâm Phục vụ hành chính công tỉnh", UnitKind.SERVICE_UNIT, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH",
     "TTPVHCCT", ["GIÁM ĐỐC"], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
]


@pytest.fixture
def province(ctx):
    """The root `create-admin` makes on a fresh install: "Ủy ban nhân dân tỉnh", a province."""
    admin = create_first_admin("quantri", "Trần Quốc Bảo", "mat-khau-rat-dai")
    return admin.memberships[0].unit


def test_a_province_issues_as_its_peoples_committee(province):
    assert province.kind == UnitKind.PROVINCE
    head = header(province, "conclusion", year=2026)
    assert (head["issuer"], head["issuer_code"], head["governing"]) == ("ỦY BAN NHÂN DÂN TỈNH", "UBND", "")
    chair = make_user(role=Role.LEADER, unit=province, title="Chủ tịch UBND tỉnh")
    deputy = make_user(role=Role.LEADER, unit=province, title="Phó Chủ tịch UBND tỉnh")
    assert signature(province, chair)["lines"] == COMMITTEE
    assert signature(province, deputy)["lines"] == DEPUTY_CHAIR
    issued = {**head, "issued": True, "number_text": number_text(1, head["type_code"], head["issuer_code"])}
    doc = {"header": issued, "subject": "Kết luận kiểm tra", "recipients": [], "signature": signature(province, chair)}
    frame = current_app.jinja_env.get_template("pdf/_document.html").render(doc=doc)
    assert "Số: 01/TB-UBND" in frame and "TM. ỦY BAN NHÂN DÂN" in frame and "TRƯỞNG PHÒNG" not in frame


def test_a_province_named_as_a_place_issues_as_its_committee(ctx):
    province = make_unit(name="Tỉnh Đồng Tháp", kind=UnitKind.PROVINCE)
    head = header(province, "progress_report", year=2026)
    assert (head["issuer"], head["issuer_code"]) == ("ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP", "UBND")
    assert signature(province, None)["lines"] == COMMITTEE


@pytest.mark.parametrize(("name", "kind", "issuer", "code", "lines", "deputy_lines"), ISSUERS,
                         ids=[row[0] for row in ISSUERS])
def test_units_under_the_province_committee(ctx, name, kind, issuer, code, lines, deputy_lines):
    province = make_unit(name="Ủy ban nhân dân tỉnh Đồng Tháp", kind=UnitKind.PROVINCE)
    unit = make_unit(name=name, kind=kind, parent=province)
    head = header(unit, "conclusion", year=2026)
    assert (head["issuer"], head["issuer_code"], head["governing"]) == (issuer, code, "UBND TỈNH ĐỒNG THÁP")
    assert number_text(1, head["type_code"], head["issuer_code"]) == f"01/TB-{code}"
    deputy = make_user(role=Role.UNIT_HEAD, unit=unit, title="Phó Chủ tịch")  # or Phó Giám đốc…
    assert signature(unit, None)["lines"] == lines
    assert signature(unit, deputy)["lines"] == deputy_lines


def test_an_issued_province_report_is_numbered_and_signed_by_the_committee(province):
    chair = make_user(role=Role.LEADER, unit=province, title="Chủ tịch UBND tỉnh", full_name="Phạm Thành Ngại")
    plan = make_plan(unit=province, title="Kế hoạch cải cách hành chính năm 2026", year=2026)
    make_task(unit=province, plan=plan)
    document = services.issue_document(chair, "progress_report", plan)
    assert document.number_text == "01/BC-UBND"
    run_jobs()
    text = " ".join(pdf_text(stored_bytes(document.pdf_id)).split())
    assert "Số: 01/BC-UBND" in text and "ỦY BAN NHÂN DÂN TỈNH" in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Phạm Thành Ngại" in text
    assert "TRƯỞNG PHÒNG" not in text
