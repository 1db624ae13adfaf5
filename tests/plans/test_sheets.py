"""A plan's tasks from .xlsx (upload → preview with each row's errors → confirm, all or nothing)
and tasks to .xlsx (formula cells neutralised; large exports rendered by the worker)."""

import io
import time
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from rq import SimpleWorker
from sqlalchemy import func, select

from inspection.data.queue import get_queue, get_redis
from inspection.plans import assignments, exports, imports, services
from models import Attachment, AuditEvent, Notification, Task, db
from models.enums import Role
from tests.factories import csrf_token, make_user, sign_in

HEADERS = ["STT", "Lĩnh vực", "Nội dung nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows, headers=HEADERS, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def coordinator(login_as):
    return login_as(Role.COORDINATOR, "pc")


@pytest.fixture
def plan(coordinator, tree):
    return services.create_plan(coordinator, unit=tree["pc"], number="143/KH-UBND", issued_on=date(2024, 4, 16),
                                title="Kế hoạch cải cách hành chính năm 2024", year=2024)


def good_rows(tree):
    a, b, dept = tree["a"].code, tree["b"].code, tree["dept"].code
    return [
        ["1", "TTHC", "Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa", "Báo cáo kết quả", a,
         f"{dept}; {b}", datetime(2024, 8, 15)],
        [2, "Cải cách thể chế", "Rà soát văn bản quy phạm pháp luật", "", tree["b"].name, "", 45519],
        ["3", "", "Khắc phục tồn tại sau kiểm tra", "Báo cáo khắc phục", b, a, "15/8/2024"],
    ]


def upload(client, plan, content: bytes, filename="nhiem-vu.xlsx"):
    token = csrf_token(client, f"/plans/{plan.id}/import")
    return client.post(f"/plans/{plan.id}/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(content), filename)})


def confirm(client, plan, attachment_id):
    token = csrf_token(client, f"/plans/{plan.id}/import")
    return client.post(f"/plans/{plan.id}/import/confirm", data={"csrf_token": token, "attachment_id": attachment_id})


def task_count(plan) -> int:
    return db.session.execute(select(func.count(Task.id)).where(Task.plan_id == plan.id)).scalar_one()


def previewed_attachment(plan) -> Attachment:
    stmt = select(Attachment).where(Attachment.kind == imports.import_kind(plan)).order_by(Attachment.id.desc())
    return db.session.execute(stmt).scalars().first()


def page(response) -> str:
    return response.get_data(as_text=True)


# ---- import: preview and confirm -----------------------------------------------------------------

def test_preview_shows_every_row_and_saves_no_task_then_confirm_adds_them_all(client, plan, tree):
    response = upload(client, plan, xlsx(good_rows(tree)))
    html = page(response)
    assert response.status_code == 200, html
    assert "Xác nhận nhập 3 nhiệm vụ" in html and "Niêm yết công khai thủ tục hành chính" in html
    assert html.count("15/08/2024") == 3  # a real date, a serial number and a text date alike
    assert "Phòng Nội vụ; Ủy ban nhân dân xã Tân Phước" in html  # codes shown as unit names
    assert task_count(plan) == 0
    response = confirm(client, plan, previewed_attachment(plan).id)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.execute(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).scalars().all()
    assert [(t.number, t.unit_id, t.deadline) for t in saved] == [
        ("1", tree["a"].id, date(2024, 8, 15)), ("2", tree["b"].id, date(2024, 8, 15)),
        ("3", tree["b"].id, date(2024, 8, 15))]
    assert sorted(u.id for u in saved[0].support_units) == sorted([tree["dept"].id, tree["b"].id])
    assert saved[0].area.code == "TTHC" and saved[1].area.code == "THECHE" and saved[2].area is None
    assert db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "plan.tasks_imported")).scalar()


def test_a_row_with_an_error_at_confirm_time_saves_no_row_at_all(client, plan, tree, coordinator):
    assert upload(client, plan, xlsx(good_rows(tree))).status_code == 200
    # meanwhile someone adds task number 2 by hand: the stored file is checked again on confirm
    assignments.add_task(coordinator, plan, {"number": "2", "title": "Nhiệm vụ thêm tay", "unit_id": tree["a"].id,
                                       "deadline": date(2024, 9, 1), "support_unit_ids": []})
    response = confirm(client, plan, previewed_attachment(plan).id)
    assert response.status_code == 303 and response.headers["Location"] == f"/plans/{plan.id}/import"
    assert "chưa nhập dòng nào" in page(client.get(response.headers["Location"]))
    assert task_count(plan) == 1


def test_confirm_only_takes_the_users_own_file_for_this_plan(client, app, plan, tree, coordinator):
    assert upload(client, plan, xlsx(good_rows(tree))).status_code == 200
    attachment = previewed_attachment(plan)
    other_plan = services.create_plan(coordinator, unit=tree["pc"], number="2/KH-UBND", issued_on=date(2024, 5, 1),
                                      title="Kế hoạch khác", year=2024)
    assert confirm(client, other_plan, attachment.id).status_code == 404
    assert confirm(client, plan, "1 OR 1=1").status_code == 404
    colleague = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    db.session.commit()
    other = app.test_client()
    sign_in(other, colleague)
    assert confirm(other, plan, attachment.id).status_code == 404
    assert task_count(plan) == 0


def test_row_errors_are_listed_per_row_and_nothing_is_stored(client, plan, tree, coordinator):
    assignments.add_task(coordinator, plan, {"number": "7", "title": "Đã có", "unit_id": tree["a"].id,
                                       "deadline": date(2024, 9, 1), "support_unit_ids": []})
    a = tree["a"].code
    rows = [
        ["1", "", "Nhiệm vụ một", "", a, "", "15/08/2024"],
        ["1", "", "Trùng số thứ tự trong bảng", "", a, "", "15/08/2024"],
        ["7", "", "Trùng số với nhiệm vụ đã có", "", a, "", "15/08/2024"],
        ["8", "", "Đơn vị không có", "", "KHONG-CO", "", "15/08/2024"],
        ["9", "", "Phối hợp trùng chủ trì", "", a, a, "15/08/2024"],
        ["10", "", "Trước ngày kế hoạch", "", a, "", "01/03/2024"],
        ["11", "", "Ngày không có thật", "", a, "", "31/02/2024"],
        ["12", "XYZ", "", "", "", "", None],
    ]
    response = upload(client, plan, xlsx(rows))
    html = page(response)
    assert response.status_code == 422
    assert "7/8 dòng có lỗi" in html and "Xác nhận nhập" not in html
    for message in ["STT 1 trùng với dòng 2 của bảng tính.", "Kế hoạch đã có nhiệm vụ số 7.",
                    "Không tìm thấy đơn vị “KHONG-CO”", "Đơn vị phối hợp không được trùng đơn vị chủ trì.",
                    "Thời hạn không được trước ngày kế hoạch (16/04/2024).",
                    "Thời hạn “31/02/2024” không phải ngày có thật (tháng 2 năm 2024 không có ngày 31).",
                    "Không tìm thấy lĩnh vực “XYZ”", "Thiếu nội dung nhiệm vụ.", "Thiếu đơn vị chủ trì.",
                    "Thiếu thời hạn"]:
        assert message in html, message
    assert previewed_attachment(plan) is None and task_count(plan) == 1


def test_a_unit_outside_the_users_scope_is_unknown(client, plan, tree, ctx):
    from tests.factories import make_unit

    elsewhere = make_unit(name="Ủy ban nhân dân xã Ngoài Tỉnh", code="NGOAI")
    db.session.commit()
    rows = [["1", "", "Nhiệm vụ", "", elsewhere.code, "", "15/08/2024"]]
    assert "Không tìm thấy đơn vị “NGOAI”" in page(upload(client, plan, xlsx(rows)))


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2024, 8, 15, 0, 0), date(2024, 8, 15)),
    (45519, date(2024, 8, 15)),
    (45519.75, date(2024, 8, 15)),
    ("15/8/2024", date(2024, 8, 15)),
    ("15/08/2024", date(2024, 8, 15)),
    ("29/02/2024", date(2024, 2, 29)),
])
def test_deadlines_as_excel_dates_serial_numbers_or_text(value, expected):
    errors = []
    assert imports.parse_deadline(value, errors) == expected and errors == []


@pytest.mark.parametrize(("value", "message"), [
    ("31/02/2024", "không phải ngày có thật"),
    ("29/02/2023", "không phải ngày có thật"),
    ("2024/08/15", "không đúng dạng ngày/tháng/năm"),
    ("tháng 8", "không đúng dạng ngày/tháng/năm"),
    (-3, "không phải một ngày"),
    (None, "Thiếu thời hạn"),
])
def test_impossible_or_unreadable_deadlines_are_refused(value, message):
    errors = []
    assert imports.parse_deadline(value, errors) is None
    assert message in errors[0]


# ---- import: files that must be refused before or while reading ------------------------------

def test_wrong_columns_get_one_message_naming_the_expected_headers(client, plan, tree):
    headers = ["STT", "Nội dung", "Sản phẩm", "Đơn vị chủ trì", "Đơn vị phối hợp", "Hạn"]
    response = upload(client, plan, xlsx([["1", "x", "", tree["a"].code, "", "15/08/2024"]], headers=headers))
    html = page(response)
    assert response.status_code == 422
    assert "Bảng tính không đúng mẫu" in html
    assert "thiếu cột “Lĩnh vực”, “Nội dung nhiệm vụ”, “Thời hạn”" in html
    assert "cột không có trong mẫu “Nội dung”, “Hạn”" in html
    assert "“STT”, “Lĩnh vực”, “Nội dung nhiệm vụ”, “Sản phẩm”, “Đơn vị chủ trì”, “Đơn vị phối hợp”, “Thời hạn”" in html


def test_merged_cells_are_refused_with_their_range(client, plan, tree):
    rows = good_rows(tree)
    response = upload(client, plan, xlsx(rows, merge="B2:B3"))
    assert response.status_code == 422
    assert "Bảng tính có ô gộp (B2:B3)" in page(response)
    assert task_count(plan) == 0


def billion_laughs_xlsx() -> bytes:
    """A workbook whose shared strings declare nested entities ("billion laughs")."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([])))
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    parts = {
        "[Content_Types].xml": source.read("[Content_Types].xml").decode().replace(
            "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": source.read("xl/_rels/workbook.xml.rels").decode().replace(
            "</Relationships>", '<Relationship Id="rId99" Target="sharedStrings.xml" Type="http://schemas.'
                                'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'),
        "xl/worksheets/sheet1.xml": source.read("xl/worksheets/sheet1.xml").decode().replace(
            '<c r="A1" t="inlineStr"><is><t>STT</t></is></c>', '<c r="A1" t="s"><v>0</v></c>'),
        "xl/sharedStrings.xml": strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, parts.pop(name, None) or source.read(name))
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_an_xml_bomb_is_refused_quickly_with_a_clear_message(client, plan):
    started = time.monotonic()
    response = upload(client, plan, billion_laughs_xlsx())
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    assert "khai báo XML không an toàn" in page(response)
    assert task_count(plan) == 0 and previewed_attachment(plan) is None


def test_a_20_mb_file_is_refused_before_it_is_parsed(client, plan):
    response = upload(client, plan, b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))
    assert response.status_code == 413
    assert "Tệp vượt quá dung lượng cho phép (2 MB)" in page(response)


def test_the_capped_read_stops_at_the_limit_whatever_the_request_says(plan, coordinator):
    from inspection.errors import ValidationError

    with pytest.raises(ValidationError, match="vượt quá dung lượng"):
        imports.preview_import(coordinator, plan, io.BytesIO(b"x" * (imports.MAX_IMPORT_BYTES + 1)), "to.xlsx")


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n",
    b"STT;Noi dung\n1;Niem yet\n",
    None,  # a zip, but not a workbook
])
def test_a_file_that_is_not_an_office_workbook_is_refused(client, plan, content):
    if content is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "không phải Excel")
        content = out.getvalue()
    response = upload(client, plan, content, filename="ke-hoach.xlsx")
    assert response.status_code == 422
    assert "không phải bảng tính Excel .xlsx hợp lệ" in page(response)


def test_too_many_rows_are_refused(client, plan, tree):
    rows = [[str(n), "", "Nhiệm vụ", "", tree["a"].code, "", "15/08/2024"] for n in range(1, 1002)]
    response = upload(client, plan, xlsx(rows))
    assert response.status_code == 422 and "quá 1000 dòng" in page(response)


def test_the_template_has_the_headers_and_an_example_row_that_passes(client, plan, coordinator):
    response = client.get(f"/plans/{plan.id}/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book["Nhiệm vụ"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) == 2
    assert "Danh mục mã" in book.sheetnames and "Hướng dẫn" in book.sheetnames
    assert [r.errors for r in imports.check_rows(coordinator, plan, response.data)] == [[]]


def test_an_officer_cannot_import(client, plan, tree, app):
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["pc"])
    db.session.commit()
    other = app.test_client()
    sign_in(other, officer)
    assert other.get(f"/plans/{plan.id}/import").status_code == 403


# ---- export ------------------------------------------------------------------------------------

def _cells(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_export_neutralises_text_a_spreadsheet_would_run_as_a_formula(client, plan, tree, coordinator):
    for n, title in enumerate(["=HYPERLINK(\"http://x.example\",\"Bấm\")", "+1+1", "-2+3", "@SUM(A1)",
                               "Bình thường"], start=1):
        assignments.add_task(coordinator, plan, {"number": str(n), "title": title, "unit_id": tree["a"].id,
                                           "expected_output": "=1+2" if n == 1 else "",
                                           "deadline": date(2024, 8, 15), "support_unit_ids": []})
    response = client.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    titles = [sheet.cell(row=r, column=3) for r in range(6, 11)]
    assert [c.value for c in titles] == ["'=HYPERLINK(\"http://x.example\",\"Bấm\")", "'+1+1", "'-2+3",
                                         "'@SUM(A1)", "Bình thường"]
    assert {c.data_type for c in titles} == {"s"}  # text, never a formula
    assert sheet.cell(row=6, column=4).value == "'=1+2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_safe_cell_prefixes_tab_and_carriage_return_too():
    assert exports.safe_cell("\t=1") == "'\t=1" and exports.safe_cell("\r=1") == "'\r=1"
    assert exports.safe_cell("Hoàn thành 22/24") == "Hoàn thành 22/24"
    assert exports.safe_cell(date(2024, 8, 15)) == date(2024, 8, 15) and exports.safe_cell(-5) == -5


def test_plan_export_has_status_timeliness_and_dates(client, plan, tree, coordinator):
    assignments.add_task(coordinator, plan, {"number": "1", "title": "Niêm yết thủ tục", "unit_id": tree["a"].id,
                                       "deadline": date(2024, 8, 15), "support_unit_ids": [tree["b"].id]})
    rows = _cells(client.get(f"/plans/{plan.id}/export.xlsx").data)
    assert rows[0][0] == "Kế hoạch số 143/KH-UBND ngày 16/04/2024 — Ủy ban nhân dân huyện Thử Nghiệm"
    assert "Hoàn thành 0/1 (0,0%) nhiệm vụ" in rows[2][0]
    assert list(rows[4]) == [label for label, _ in exports.TASK_COLUMNS]
    number, _area, title, _out, lead, supports, deadline, original, status, timeliness, progress, done = rows[5]
    assert (number, title, lead, supports) == ("1", "Niêm yết thủ tục", "Ủy ban nhân dân xã An Phước",
                                               "Ủy ban nhân dân xã Tân Phước")
    assert deadline == original == datetime(2024, 8, 15)
    assert (status, timeliness, progress, done) == ("Chưa thực hiện", "Quá hạn chưa hoàn thành", 0, None)


def test_task_list_export_applies_the_list_filters(client, plan, tree, coordinator):
    for n, unit in ((1, "a"), (2, "b"), (3, "a")):
        assignments.add_task(coordinator, plan, {"number": str(n), "title": f"Nhiệm vụ khắc phục {n}",
                                           "unit_id": tree[unit].id, "deadline": date(2024, 8, 10 + n),
                                           "support_unit_ids": []})
    response = client.get("/tasks/export.xlsx", query_string={"unit_id": tree["a"].id, "q": "khac phuc",
                                                             "due_to": "31/12/2024"})
    rows = _cells(response.data)
    assert [r[3] for r in rows[3:]] == ["Nhiệm vụ khắc phục 1", "Nhiệm vụ khắc phục 3"]
    assert {r[0] for r in rows[3:]} == {"143/KH-UBND"}


def test_a_large_export_is_rendered_by_the_worker_and_only_its_owner_downloads_it(app, client, plan, tree,
                                                                                    coordinator):
    for n in range(1, 4):
        assignments.add_task(coordinator, plan, {"number": str(n), "title": f"Nhiệm vụ {n}", "unit_id": tree["a"].id,
                                           "deadline": date(2024, 8, 15), "support_unit_ids": []})
    app.config["EXPORT_SYNC_MAX_ROWS"] = 2
    try:
        response = client.get(f"/plans/{plan.id}/export.xlsx")
        assert response.status_code == 200 and "Danh sách có 3 nhiệm vụ" in page(response)
        assert get_queue("default").count == 0  # a GET never starts the job
        token = csrf_token(client, f"/plans/{plan.id}/import")
        assert "Đang tạo tệp Excel" in page(client.post(f"/plans/{plan.id}/export.xlsx", data={"csrf_token": token}))
    finally:
        app.config["EXPORT_SYNC_MAX_ROWS"] = 2000
    SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
    note = db.session.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalar_one()
    assert "đã sẵn sàng" in note.title and note.link.startswith("/exports/")
    download = client.get(note.link)
    assert download.status_code == 200 and download.mimetype == XLSX
    assert [r[2] for r in _cells(download.data)[5:]] == ["Nhiệm vụ 1", "Nhiệm vụ 2", "Nhiệm vụ 3"]
    colleague = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    db.session.commit()
    other = app.test_client()
    sign_in(other, colleague)
    assert other.get(note.link).status_code == 404
    assert client.get("/exports/not-a-token").status_code == 404
