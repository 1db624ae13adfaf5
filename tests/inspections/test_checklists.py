"""Checklist templates (bộ tiêu chí kiểm tra): versioning, copying to a year, validation of the
criteria, permissions, and the pages through the test client — on PostgreSQL."""

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inspection.errors import Conflict, Forbidden, ValidationError
from inspection.inspections import checklist_queries, checklists
from inspection.inspections.checklists import ItemErrors
from models import AuditEvent, ChecklistItem, ChecklistTemplate, Inspection, ParArea, db
from models.enums import InspectionKind, Role
from tests.factories import csrf_token, make_template, make_user


@pytest.fixture
def coordinator(tree):
    return make_user(role=Role.COORDINATOR, unit=tree["pc"])


@pytest.fixture
def areas(ctx):
    return dict(db.session.execute(select(ParArea.code, ParArea.id)).all())


def _rows(areas, *rows):
    """Criteria rows for the services: (code, area code, criterion, guidance, points)."""
    return [{"code": c, "area_id": areas.get(a), "criterion": t, "guidance": g, "points": p} for c, a, t, g, p in rows]


def _one_stop_rows(areas):
    return _rows(areas, ("1", "TTHC", "Niêm yết công khai thủ tục hành chính đầy đủ", "Đối chiếu danh mục", "2"),
                 ("2", "CQS", "Cập nhật trạng thái hồ sơ trên phần mềm một cửa điện tử", "Chọn 5 hồ sơ", "1,5"))


def _create(coordinator, tree, areas, **changes):
    data = {"unit": tree["pc"], "name": "Kiểm tra Bộ phận Một cửa năm 2025", "year": 2025,
            "items": _one_stop_rows(areas)} | changes
    return checklists.create_template(coordinator, **data)


def _inspection_on(template, tree) -> Inspection:
    """An inspection scheduled on `template` (built directly: scheduling has its own tests)."""
    inspection = Inspection(unit_id=tree["a"].id, ordering_unit_id=tree["pc"].id, kind=InspectionKind.SCHEDULED,
                            start_on=date(2025, 5, 12), end_on=date(2025, 5, 12), template_id=template.id,
                            number="03/ĐKT", title="Kiểm tra Bộ phận Một cửa xã An Phước")
    db.session.add(inspection)
    db.session.flush()
    return inspection


def _criteria(template_id) -> list[tuple]:
    stmt = select(ChecklistItem.code, ChecklistItem.criterion, ChecklistItem.points).where(
        ChecklistItem.template_id == template_id).order_by(ChecklistItem.position)
    return [tuple(r) for r in db.session.execute(stmt)]


def _template_count() -> int:
    return db.session.execute(select(func.count(ChecklistTemplate.id))).scalar_one()


def _audit(target_id) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.target_type == "checklist_template",
                                           AuditEvent.target_id == str(target_id)).order_by(AuditEvent.seq)
    return list(db.session.execute(stmt).scalars())


# ---- services: creating, versioning, copying

def test_create_stores_nfc_text_items_in_order_and_an_audit_event(coordinator, tree, areas):
    decomposed = unicodedata.normalize("NFD", "Kiểm tra Bộ phận Một cửa năm 2025")
    template = _create(coordinator, tree, areas, name=decomposed)
    assert template.name == unicodedata.normalize("NFC", decomposed) and template.name_folded.startswith("kiem tra")
    assert (template.version, template.is_current, template.unit_id) == (1, True, tree["pc"].id)
    assert _criteria(template.id) == [("1", "Niêm yết công khai thủ tục hành chính đầy đủ", Decimal("2.00")),
                                      ("2", "Cập nhật trạng thái hồ sơ trên phần mềm một cửa điện tử", Decimal("1.50"))]
    assert _audit(template.id) == ["template.created"]


def test_blank_codes_are_numbered_around_the_typed_ones(coordinator, tree, areas):
    rows = _rows(areas, ("", "TTHC", "Tiêu chí thứ nhất", "", ""), ("1", "TTHC", "Tiêu chí có mã 1", "", ""),
                 ("", None, "Tiêu chí thứ ba", "", ""))
    template = _create(coordinator, tree, areas, items=rows)
    assert [c for c, _t, _p in _criteria(template.id)] == ["2", "1", "3"]


def test_revising_an_unused_template_edits_it_in_place(coordinator, tree, areas):
    template = _create(coordinator, tree, areas)
    rows = _one_stop_rows(areas)[:1] + _rows(areas, ("3", "CONGVU", "Công chức đeo thẻ công chức", "", None))
    saved = checklists.revise_template(coordinator, template, name="Kiểm tra Bộ phận Một cửa (sửa)", year=2025,
                                      items=rows, expected=checklists.fingerprint(template))
    assert saved.id == template.id and saved.version == 1 and _template_count() == 1
    assert [c for c, _t, _p in _criteria(template.id)] == ["1", "3"]
    assert saved.name == "Kiểm tra Bộ phận Một cửa (sửa)"
    assert _audit(template.id) == ["template.created", "template.revised"]


def test_revising_a_used_template_makes_version_2_and_the_inspection_keeps_version_1(coordinator, tree, areas):
    template = _create(coordinator, tree, areas)
    inspection = _inspection_on(template, tree)
    before = _criteria(template.id)
    rows = _one_stop_rows(areas) + _rows(areas, ("3", "CQS", "Số hóa hồ sơ, kết quả giải quyết TTHC", "", "2"))
    saved = checklists.revise_template(coordinator, template, name=template.name, year=2025, items=rows)
    assert saved.id != template.id
    assert (saved.family, saved.version, saved.is_current) == (template.family, 2, True)
    db.session.expire_all()
    old = db.session.get(ChecklistTemplate, template.id)
    assert old.is_current is False
    assert db.session.get(Inspection, inspection.id).template_id == template.id
    assert _criteria(template.id) == before  # the inspection's criteria did not change
    assert [c for c, _t, _p in _criteria(saved.id)] == ["1", "2", "3"]
    assert _audit(saved.id) == ["template.versioned"]
    assert [t.id for t in checklists.current_templates(coordinator)] == [saved.id]


def test_an_old_version_cannot_be_revised(coordinator, tree, areas):
    template = _create(coordinator, tree, areas)
    _inspection_on(template, tree)
    checklists.revise_template(coordinator, template, name=template.name, year=2025, items=_one_stop_rows(areas))
    with pytest.raises(Conflict, match="đã có phiên bản mới hơn"):
        checklists.revise_template(coordinator, template, name="Sửa bản cũ", year=2025, items=_one_stop_rows(areas))
    assert _template_count() == 2


def test_a_save_made_on_a_stale_form_is_a_conflict(coordinator, tree, areas):
    template = _create(coordinator, tree, areas)
    opened = checklists.fingerprint(template)
    checklists.revise_template(coordinator, template, name="Đã sửa trước", year=2025, items=_one_stop_rows(areas),
                              expected=opened)
    with pytest.raises(Conflict, match="vừa được người khác cập nhật"):
        checklists.revise_template(coordinator, template, name="Sửa sau", year=2025, items=_one_stop_rows(areas),
                                  expected=opened)
    assert db.session.get(ChecklistTemplate, template.id).name == "Đã sửa trước"


def test_copy_to_another_year_makes_a_new_family_with_the_same_criteria(coordinator, tree, areas):
    template = _create(coordinator, tree, areas)
    copy = checklists.copy_template_to_year(coordinator, template, 2026)
    assert copy.family != template.family and copy.version == 1 and copy.copied_from_id == template.id
    assert (copy.name, copy.year) == ("Kiểm tra Bộ phận Một cửa năm 2026", 2026)
    assert _criteria(copy.id) == _criteria(template.id)
    assert _audit(copy.id) == ["template.copied"]
    with pytest.raises(ValidationError, match="Đơn vị đã có bộ tiêu chí “Kiểm tra Bộ phận Một cửa năm 2026” năm 2026"):
        checklists.copy_template_to_year(coordinator, template, 2026)  # a second tap copies nothing
    assert _template_count() == 2


# ---- validation

@pytest.mark.parametrize(("points", "message"), [
    ("-1", "Điểm tối đa không được âm."),
    ("NaN", "Điểm tối đa phải là một số cụ thể (không nhận NaN, vô cực)."),
    ("inf", "Điểm tối đa phải là một số cụ thể (không nhận NaN, vô cực)."),
    ("-Infinity", "Điểm tối đa phải là một số cụ thể (không nhận NaN, vô cực)."),
    (float("nan"), "Điểm tối đa phải là một số cụ thể (không nhận NaN, vô cực)."),
    ("1000", "Điểm tối đa phải nhỏ hơn 1.000."),
    ("1e9", "Điểm tối đa phải nhỏ hơn 1.000."),
    ("9" * 400, "Điểm tối đa phải nhỏ hơn 1.000."),
    ("0,125", "Điểm tối đa chỉ lấy đến 2 chữ số thập phân."),
    ("hai", "Điểm tối đa phải là số, ví dụ 2 hoặc 1,5."),
])
def test_bad_points_are_refused_with_a_vietnamese_message(coordinator, tree, areas, points, message):
    rows = _rows(areas, ("1", "TTHC", "Niêm yết thủ tục hành chính", "", "2"), ("2", "TTHC", "Sổ theo dõi", "", points))
    with pytest.raises(ItemErrors) as refused:
        _create(coordinator, tree, areas, items=rows)
    assert refused.value.problems == {(1, "points"): message}
    assert _template_count() == 0


def test_points_accept_a_decimal_comma_and_zero(coordinator, tree, areas):
    rows = _rows(areas, ("1", "TTHC", "Tiêu chí A", "", "0,5"), ("2", "TTHC", "Tiêu chí B", "", "0"),
                 ("3", "TTHC", "Tiêu chí C", "", " "))
    template = _create(coordinator, tree, areas, items=rows)
    assert [p for _c, _t, p in _criteria(template.id)] == [Decimal("0.50"), Decimal("0.00"), None]


def test_every_bad_row_is_reported_at_once(coordinator, tree, areas):
    rows = _rows(areas, ("1.1", "TTHC", "", "Hướng dẫn không có tiêu chí", "1"),
                 ("1.2", "TTHC", "x" * 501, "", ""), ("1.1", "TTHC", "Trùng mã", "", ""))
    rows.append({"code": "4", "area_id": 999999, "criterion": "Lĩnh vực không có", "guidance": "", "points": ""})
    with pytest.raises(ItemErrors) as refused:
        _create(coordinator, tree, areas, items=rows)
    assert refused.value.problems == {
        (0, "criterion"): "Nhập nội dung tiêu chí.",
        (1, "criterion"): "Nội dung tiêu chí tối đa 500 ký tự.",
        (2, "code"): "Mã “1.1” trùng với dòng 1; mỗi tiêu chí cần một mã riêng.",
        (3, "area_id"): "Lĩnh vực không tồn tại, vui lòng chọn lại.",
    }
    assert "dòng 1: Nhập nội dung tiêu chí." in refused.value.message
    assert _template_count() == 0


def test_a_template_needs_a_name_a_real_year_and_a_criterion(coordinator, tree, areas):
    with pytest.raises(ValidationError, match="Nhập tên bộ tiêu chí."):
        _create(coordinator, tree, areas, name="   ")
    with pytest.raises(ValidationError, match="Năm áp dụng phải từ 2000 đến 2100."):
        _create(coordinator, tree, areas, year=20255)
    with pytest.raises(ValidationError, match="Bộ tiêu chí cần ít nhất một tiêu chí."):
        _create(coordinator, tree, areas, items=[])
    assert _template_count() == 0


def test_the_same_name_for_the_same_year_is_refused(coordinator, tree, areas):
    _create(coordinator, tree, areas)
    with pytest.raises(ValidationError, match="Đơn vị đã có bộ tiêu chí"):
        _create(coordinator, tree, areas, name="KIEM TRA BO PHAN MOT CUA NAM 2025")
    assert _create(coordinator, tree, areas, year=2026).year == 2026


# ---- permissions

def test_only_template_managers_create_or_change_templates(tree, areas, coordinator):
    template = _create(coordinator, tree, areas)
    for role, unit in ((Role.UNIT_OFFICER, "a"), (Role.UNIT_HEAD, "a"), (Role.LEADER, "pc"), (Role.INSPECTOR, "dept")):
        user = make_user(role=role, unit=tree[unit])
        with pytest.raises(Forbidden):
            checklists.create_template(user, unit=tree[unit], name="Bộ tiêu chí riêng", year=2025,
                                      items=_one_stop_rows(areas))
        with pytest.raises(Forbidden):
            checklists.copy_template_to_year(user, template, 2026)
    assert _template_count() == 1


def test_current_templates_are_scoped_to_what_the_user_sees(tree, areas, coordinator):
    pc_template = _create(coordinator, tree, areas)
    commune_template = make_template(unit=tree["a"], year=2025)
    make_template(unit=tree["b"], year=2025)
    head_a = make_user(role=Role.UNIT_HEAD, unit=tree["a"])
    officer_a = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    assert {t.id for t in checklists.current_templates(coordinator)} >= {pc_template.id, commune_template.id}
    assert [t.id for t in checklists.current_templates(head_a)] == [commune_template.id]
    assert checklists.current_templates(officer_a) == []  # officers do not keep checklists


# ---- pages

def _form_data(token, rows, **fields) -> dict:
    data = {"csrf_token": token, "name": "Kiểm tra Bộ phận Một cửa xã năm 2025", "year": "2025", "description": ""}
    for i, (code, area_id, criterion, guidance, points) in enumerate(rows):
        data |= {f"items-{i}-code": code, f"items-{i}-area_id": str(area_id or ""), f"items-{i}-criterion": criterion,
                 f"items-{i}-guidance": guidance, f"items-{i}-points": points}
    return data | fields


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_coordinator_creates_a_template_through_the_form(client, login_as, tree, areas):
    login_as(Role.COORDINATOR, "pc")
    token = csrf_token(client, "/templates/new")
    rows = [("1.1", areas["TTHC"], "Niêm yết công khai TTHC đầy đủ, đúng quy định", "Đối chiếu Quyết định công bố",
             "2"),
            ("", "", "", "", ""),  # an empty row of the form without its script
            ("4.1", areas["CONGVU"], "Công chức đeo thẻ công chức", "Quan sát vị trí tiếp nhận", "")]
    response = client.post("/templates/new", data=_form_data(token, rows, unit_id=str(tree["pc"].id)))
    assert response.status_code == 303
    template = db.session.execute(select(ChecklistTemplate)).scalar_one()
    assert [c for c, _t, _p in _criteria(template.id)] == ["1.1", "4.1"]
    page = _text(client.get(response.headers["Location"]))
    assert "Cải cách thủ tục hành chính" in page and "Cải cách chế độ công vụ" in page  # grouped by area
    assert "Hướng dẫn kiểm tra:" in page and "Đối chiếu Quyết định công bố" in page and "2 điểm" in page
    assert "Phiên bản 1 — hiện hành" in page


def test_bad_rows_are_marked_on_the_form_and_nothing_is_saved(client, login_as, tree, areas):
    login_as(Role.COORDINATOR, "pc")
    token = csrf_token(client, "/templates/new")
    rows = [("1", areas["TTHC"], "", "Chỉ có hướng dẫn", "2"), ("2", areas["TTHC"], "Sổ theo dõi hồ sơ", "", "-3")]
    response = client.post("/templates/new", data=_form_data(token, rows, unit_id=str(tree["pc"].id)))
    assert response.status_code == 422
    page = _text(response)
    assert "Nhập nội dung tiêu chí." in page and "Điểm tối đa không được âm." in page
    assert 'value="-3"' in page  # what was typed stays in the form
    assert _template_count() == 0


def test_editing_a_used_template_on_the_page_saves_version_2(client, login_as, tree, areas):
    template = make_template(unit=tree["pc"], year=2025)
    _inspection_on(template, tree)
    db.session.commit()
    login_as(Role.COORDINATOR, "pc")
    form_page = _text(client.get(f"/templates/{template.id}/edit"))
    assert "Khi lưu, hệ thống tạo phiên bản 2" in form_page
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([^"]+)"', form_page).group(1)
    rows = [(i.code, i.area_id, i.criterion, i.guidance, str(i.points or "")) for i in template.items]
    rows.append(("3.2", areas["CQS"], "Số hóa hồ sơ, kết quả giải quyết TTHC", "", "2"))
    token = csrf_token(client, f"/templates/{template.id}/edit")
    response = client.post(f"/templates/{template.id}/edit",
                           data=_form_data(token, rows, name=template.name, fingerprint=fingerprint))
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != template.id and "Đã lưu thành phiên bản 2" in _text(client.get(f"/templates/{new_id}"))
    old_page = _text(client.get(f"/templates/{template.id}"))
    assert "Phiên bản 1 — đã có phiên bản mới" in old_page and "Ủy ban nhân dân xã An Phước" in old_page
    versions = _text(client.get(f"/templates/{new_id}/versions"))
    assert "Phiên bản 2" in versions and "Phiên bản 1" in versions and "Chưa sử dụng" in versions


def test_copy_button_makes_next_years_template(client, login_as, tree):
    template = make_template(unit=tree["pc"], name="Kiểm tra kỷ luật, kỷ cương hành chính năm 2025", year=2025)
    db.session.commit()
    login_as(Role.COORDINATOR, "pc")
    token = csrf_token(client, f"/templates/{template.id}")
    response = client.post(f"/templates/{template.id}/copy", data={"csrf_token": token, "year": "2026"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit")
    copy = db.session.execute(select(ChecklistTemplate).where(ChecklistTemplate.year == 2026)).scalar_one()
    assert copy.name == "Kiểm tra kỷ luật, kỷ cương hành chính năm 2026" and copy.copied_from_id == template.id
    bad = client.post(f"/templates/{template.id}/copy", data={"csrf_token": token, "year": "năm sau"},
                      follow_redirects=True)
    assert "Năm áp dụng phải là số, ví dụ 2025." in _text(bad) and _template_count() == 2


def test_a_post_without_csrf_token_is_refused(client, login_as, tree, areas):
    login_as(Role.COORDINATOR, "pc")
    rows = [("1", areas["TTHC"], "Niêm yết TTHC", "", "1")]
    response = client.post("/templates/new", data=_form_data("", rows, unit_id=str(tree["pc"].id)))
    assert response.status_code == 400 and _template_count() == 0


def test_unit_officer_is_refused_and_never_sees_other_units_templates(client, login_as, tree):
    pc_template = make_template(unit=tree["pc"])
    own_template = make_template(unit=tree["a"])
    db.session.commit()
    login_as(Role.UNIT_OFFICER, "a")
    assert client.get("/templates").status_code == 403
    assert client.get(f"/templates/{pc_template.id}").status_code == 404  # outside their unit: not found
    assert client.get(f"/templates/{own_template.id}").status_code == 403  # their unit's, but not their role
    assert client.get("/templates/new").status_code == 403


def test_viewer_reads_templates_but_cannot_edit(client, login_as, tree):
    template = make_template(unit=tree["pc"], name="Kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính")
    db.session.commit()
    login_as(Role.VIEWER, "pc")
    listing = _text(client.get("/templates"))
    assert "Kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính" in listing and "Tạo bộ tiêu chí" not in listing
    detail = _text(client.get(f"/templates/{template.id}"))
    assert "Sửa bộ tiêu chí" not in detail and "Sao chép" not in detail
    assert client.get(f"/templates/{template.id}/edit").status_code == 403


def test_list_search_ignores_diacritics_and_shows_only_current_versions(client, login_as, tree):
    old = make_template(unit=tree["pc"], name="Kiểm tra Bộ phận Một cửa", year=2025, is_current=False)
    make_template(unit=tree["pc"], name="Kiểm tra Bộ phận Một cửa", year=2025, family=old.family, version=2)
    make_template(unit=tree["pc"], name="Kiểm tra kỷ luật, kỷ cương", year=2025)
    db.session.commit()
    login_as(Role.COORDINATOR, "pc")
    page = _text(client.get("/templates", query_string={"q": "mot cua"}))
    assert page.count("Kiểm tra Bộ phận Một cửa") == 1 and "Phiên bản 2" in page and "xem các phiên bản" in page
    assert "Kiểm tra kỷ luật" not in page


def test_the_form_page_has_a_row_prototype_and_no_inline_script(client, login_as):
    login_as(Role.COORDINATOR, "pc")
    page = _text(client.get("/templates/new"))
    assert "<template data-item-prototype>" in page and 'name="items-__index__-criterion"' in page
    assert page.count('name="items-4-criterion"') == 1  # five empty rows without the script
    assert "js/templates.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and " style=" not in page


# ---- demo data

def test_demo_templates_are_realistic_and_seeding_them_again_adds_nothing(ctx):
    from inspection.demo.checklists import ONE_STOP, seed_templates
    from inspection.demo.seed import seed_demo
    from inspection.language.formatting import local_today
    from models import OrgUnit, User

    seed_demo("demo")
    year = local_today().year
    one_stop = db.session.execute(select(ChecklistTemplate).where(
        ChecklistTemplate.name == ONE_STOP, ChecklistTemplate.year == year)).scalar_one()
    assert len(one_stop.items) >= 12 and all(i.guidance and i.area_id for i in one_stop.items)
    previous = db.session.get(ChecklistTemplate, one_stop.copied_from_id)
    assert (previous.year, previous.version, previous.is_current) == (year - 1, 2, True)
    assert [v.version for v in checklist_queries.versions_of(previous)] == [2, 1]
    names = db.session.execute(select(ChecklistTemplate.name).where(ChecklistTemplate.year == year)).scalars().all()
    assert any("kỷ luật, kỷ cương hành chính" in n for n in names)
    assert any(n.startswith("Kiểm tra việc thực hiện Kế hoạch cải cách hành chính năm") for n in names)
    count = _template_count()
    units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
    users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    again = seed_templates(units, users)
    assert _template_count() == count and again["one_stop"].id == one_stop.id
    assert again["one_stop_previous"].id == previous.id
