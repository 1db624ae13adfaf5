"""Bulk import from .xlsx: template, preview with per-row errors, all-or-nothing confirm,
and refusal of files that are too big, not xlsx, or of the wrong shape."""

import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from inspection.admin.import_sheets import MAX_IMPORT_ROWS
from inspection.web.sheets import MAX_IMPORT_BYTES
from models import OrgUnit, User, db
from models.enums import Role
from tests.factories import make_user

from .helpers import UNIT_HEADER, USER_HEADER, audit_actions, confirm_from, page_text, snapshot, upload, xlsx


def _codes(*codes):
    return set(db.session.execute(select(OrgUnit.code).where(OrgUnit.code.in_(codes))).scalars())


def test_templates_download_with_the_vietnamese_headers(client, login_as):
    login_as(Role.ADMIN, "root")
    with_honorific = [USER_HEADER[0], "Ông/Bà", *USER_HEADER[1:]]  # optional: older sheets without it still import
    for kind, header in (("units", UNIT_HEADER), ("users", with_honorific)):
        response = client.get(f"/admin/import/{kind}/template.xlsx")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert [c.value for c in sheet[1]] == header


def test_unit_import_previews_then_imports_every_row_on_confirm(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([UNIT_HEADER,
                  ["XM-1", "Ủy ban nhân dân xã Mới Một", "Xã", tree["pc"].code],
                  ["XM-1-VP", "Văn phòng xã Mới Một", "Cơ quan chuyên môn", "XM-1"]])
    preview = upload(client, "units", sheet)
    html = page_text(preview)
    assert preview.status_code == 200 and "Xác nhận nhập 2 dòng" in html
    assert _codes("XM-1", "XM-1-VP") == set()  # nothing saved by the preview
    assert confirm_from(client, "units", html).status_code == 302
    db.session.expire_all()
    one = db.session.execute(select(OrgUnit).where(OrgUnit.code == "XM-1")).scalar_one()
    office = db.session.execute(select(OrgUnit).where(OrgUnit.code == "XM-1-VP")).scalar_one()
    assert (one.parent_id, one.kind, office.parent_id) == (tree["pc"].id, "commune", one.id)
    assert audit_actions("org_unit", one.id) == ["unit.created"]


def test_sheet_with_wrong_columns_gets_one_clear_message(client, login_as):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = upload(client, "units", xlsx([["Mã", "Tên đơn vị", "Loại", "Cấp trên"], ["X", "Y", "Xã", "Z"]]))
    html = page_text(response)
    assert response.status_code == 422
    assert "Bảng tính không đúng mẫu (thiếu cột “Mã đơn vị”, “Mã đơn vị cấp trên”" in html
    assert "cột không có trong mẫu “Mã”, “Cấp trên”" in html
    assert "“Mã đơn vị”, “Tên đơn vị”, “Loại”, “Mã đơn vị cấp trên”" in html
    assert snapshot() == before


def test_a_sheet_with_merged_cells_is_refused_with_their_range(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = upload(client, "units", xlsx([UNIT_HEADER, ["XG-1", "Xã Gộp Một", "Xã", tree["pc"].code],
                                             ["XG-2", "Xã Gộp Hai", "Xã", tree["pc"].code]], merge="C2:C3"))
    assert response.status_code == 422
    assert "Bảng tính có ô gộp (C2:C3). Hãy bỏ gộp ô" in page_text(response)
    assert snapshot() == before


def test_a_user_sheet_from_the_older_template_without_honorific_still_imports(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([USER_HEADER, ["cu.mau", "Người Mẫu Cũ", "Công chức", "", "Người xem", tree["a"].code],
                  ["so.hoa", "Số Hóa", "", "", "Người xem", 7.0]])
    html = page_text(upload(client, "users", sheet))
    assert "Không tìm thấy đơn vị có mã “7”" in html  # a number typed in a text column reads as its digits
    sheet = xlsx([USER_HEADER, ["cu.mau", "Người Mẫu Cũ", "Công chức", "", "Người xem", tree["a"].code]])
    assert confirm_from(client, "users", page_text(upload(client, "users", sheet))).status_code == 302
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.username == "cu.mau")).scalar_one()
    assert (user.full_name, user.honorific) == ("Người Mẫu Cũ", "")


def test_user_sheet_with_duplicates_and_bad_rows_shows_each_error_and_saves_nothing(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    make_user(unit=tree["a"], username="dacoroi")
    db.session.commit()
    before = snapshot()
    sheet = xlsx([USER_HEADER,
                  ["lethu", "Lê Thị Thu", "Chuyên viên", "thu@example.vn", "Đầu mối CCHC", tree["pc"].code],
                  ["LeThu", "Lê Thu Hai", "", "", "Người xem", tree["pc"].code],
                  ["dacoroi", "Đã Có Rồi", "", "", "Người xem", tree["a"].code],
                  ["moi1", "Người Mới", "", "khong-phai-email", "Trưởng nhóm", "KHONG-CO"],
                  ["moi2", "N" * 121, "", "", "Quản trị hệ thống", tree["a"].code]])
    response = upload(client, "users", sheet)
    html = page_text(response)
    assert response.status_code == 422
    assert "4/5 dòng có lỗi" in html
    for message in ("Tên đăng nhập “lethu” trùng với dòng 2", "Tên đăng nhập “dacoroi” đã tồn tại",
                    "Vai trò không hợp lệ: “Trưởng nhóm”", "Không tìm thấy đơn vị có mã “KHONG-CO”",
                    "Email không hợp lệ", "họ và tên dài quá 120 ký tự", "Không nhập vai trò Quản trị hệ thống"):
        assert message in html, message
    assert "Xác nhận nhập" not in html
    assert snapshot() == before


def test_unknown_parent_code_is_a_row_error(client, login_as):
    login_as(Role.ADMIN, "root")
    response = upload(client, "units", xlsx([UNIT_HEADER, ["XN", "Xã Nào Đó", "Xã", "CHUA-CO"]]))
    assert response.status_code == 422
    assert "Không tìm thấy đơn vị cấp trên có mã “CHUA-CO”" in page_text(response)


def test_a_non_xlsx_file_renamed_xlsx_is_refused(client, login_as):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    plain = upload(client, "users", "Tên đăng nhập,Họ và tên\nan,An\n".encode(), "nguoi-dung.xlsx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    other_zip = upload(client, "users", archive.getvalue(), "nguoi-dung.xlsx")
    for response in (plain, other_zip):
        assert response.status_code == 422
        assert "Tệp không phải bảng tính Excel .xlsx hợp lệ" in page_text(response)
    assert snapshot() == before


def test_a_file_over_the_cap_is_refused_before_parsing(client, login_as):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = upload(client, "units", b"PK\x03\x04" + b"\0" * MAX_IMPORT_BYTES)
    assert response.status_code == 422
    assert "Tệp vượt quá dung lượng cho phép (2 MB)" in page_text(response)
    assert snapshot() == before


def test_a_sheet_over_the_row_cap_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    rows = [[f"R{n}", f"Xã {n}", "Xã", tree["pc"].code] for n in range(MAX_IMPORT_ROWS + 1)]
    response = upload(client, "units", xlsx([UNIT_HEADER, *rows]))
    assert response.status_code == 422
    assert f"Tệp có quá {MAX_IMPORT_ROWS} dòng dữ liệu" in page_text(response)


def test_confirm_rechecks_the_stored_file_and_imports_nothing_if_a_row_became_invalid(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([USER_HEADER, ["nguoimot", "Người Một", "", "", "Người xem", tree["a"].code],
                  ["nguoihai", "Người Hai", "", "", "Người xem", tree["a"].code]])
    html = page_text(upload(client, "users", sheet))
    make_user(unit=tree["b"], username="nguoihai")  # someone takes the name between preview and confirm
    db.session.commit()
    before = snapshot()
    response = confirm_from(client, "users", html)
    assert response.status_code == 303  # back to the upload page, never left on the POST address
    assert "Tệp còn dòng có lỗi nên chưa nhập dòng nào" in page_text(client.get(response.headers["Location"]))
    assert snapshot() == before


def test_confirm_of_a_file_that_is_not_ones_own_preview_is_not_found(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([UNIT_HEADER, ["XK", "Xã Khác", "Xã", tree["pc"].code]])
    html = page_text(upload(client, "units", sheet))
    other = app.test_client()
    from tests.factories import sign_in

    sign_in(other, make_user(role=Role.ADMIN, unit=tree["root"]))
    db.session.commit()
    before = snapshot()
    assert confirm_from(other, "units", html.replace('name="csrf_token"', 'name="ignored"')).status_code in (400, 404)
    tampered = html.replace('name="attachment_id" type="hidden" value="', 'name="attachment_id" type="hidden" value="9')
    assert confirm_from(client, "units", tampered).status_code == 404
    assert confirm_from(client, "users", html.replace("/import/units/", "/import/users/")).status_code == 404
    assert snapshot() == before


def test_imported_users_have_no_usable_password_until_one_is_issued(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([USER_HEADER, ["Tran.An", "Trần An", "Công chức", "An@Example.vn", "unit_officer", tree["a"].code]])
    assert confirm_from(client, "users", page_text(upload(client, "users", sheet))).status_code == 302
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.username == "tran.an")).scalar_one()
    assert user.must_change_password and user.email == "an@example.vn"
    assert [(m.role, m.unit_id) for m in user.memberships] == [("unit_officer", tree["a"].id)]
    listing = page_text(client.get("/admin/users?q=tran+an"))
    assert "Chưa cấp mật khẩu" in listing
    login = client.application.test_client()
    from tests.factories import csrf_token

    refused = login.post("/login", data={"username": "tran.an", "password": "!chua-cap-mat-khau",
                                         "csrf_token": csrf_token(login)})
    assert refused.status_code == 200 and "không đúng" in page_text(refused)
