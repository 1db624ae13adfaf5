"""A Chỉ số CCHC round end to end in the browser, on a tablet (800x1280) and a desktop (1366x900):
the coordinator imports an index from .xlsx (a faulty file shows its per-row preview) and opens the
round; An Phước's officer self-assesses with uploaded and linked evidence, the head submits; an
appraiser lowers two scores with reasons; the unit explains one with new evidence; the appraiser
accepts it; the leader publishes; the decision PDF renders (ranking, numbers, bands) and the
remediation plan is created from the lost points. CCHC_SCREENSHOTS saves the pages as par-*.png."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.par.imports import COLUMNS
from models import Document, OrgUnit, ParAssessment, ParRound, ParScore, Plan, Report, Task, User, db
from tests.browser.conftest import DESKTOP, TABLET, save_screenshot, sign_in
from tests.factories import PDF_BYTES
from tests.reports.support import pdf_text, run_jobs, stored_bytes

pytestmark = pytest.mark.browser
VIEWPORTS = [("800", TABLET), ("1366", DESKTOP)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["1", "Công tác chỉ đạo, điều hành CCHC", "1.1", "Kế hoạch CCHC năm", "1.1.1",
     "Ban hành kế hoạch CCHC năm đúng thời hạn", 2, "Đạt / không đạt", None, "Kế hoạch CCHC", "", "Phòng Nội vụ"],
    ["1", "Công tác chỉ đạo, điều hành CCHC", "1.2", "Báo cáo CCHC", "1.2.1",
     "Báo cáo CCHC đầy đủ, đúng hạn", 2, "Chấm trong điểm tối đa", None, "Báo cáo", "", "Phòng Nội vụ"],
    ["2", "Cải cách thể chế", "2.1", "Rà soát VBQPPL", "2.1.1", "Rà soát, hệ thống hóa VBQPPL", 3,
     "Chấm trong điểm tối đa", None, "Báo cáo rà soát", "x", "Phòng Tư pháp"],
]


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append([label for _, label in COLUMNS])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _as(new_context, viewport, site, username):
    page = new_context(viewport).new_page()
    sign_in(page, site, username)
    return page


def _import_and_open(page, site, size):
    page.goto(f"{site}/chi-so-cchc/nhap")
    page.fill("#year", "2027")
    page.select_option("#level", "commune")
    page.fill("#title", "Bộ chỉ số cải cách hành chính cấp xã năm 2027")
    broken = [list(r) for r in ROWS]
    broken[1][6] = "NaN"
    page.set_input_files("#file", _file("chi-so-loi.xlsx", _sheet(broken), XLSX))
    page.click("main form[enctype] button[type=submit]")
    expect(page.locator("main")).to_contain_text("Xem trước: 3 dòng, 1 dòng có lỗi")
    expect(page.locator(".import-preview")).to_contain_text("Điểm tối đa phải")
    save_screenshot(page, f"par-import-preview-{size}")
    page.set_input_files("#file", _file("chi-so.xlsx", _sheet(ROWS), XLSX))
    page.click("main form[enctype] button[type=submit]")
    page.click("text=Xác nhận nhập 3 tiêu chí thành phần")
    page.wait_for_url("**/bo-chi-so/**")
    for field, day in (("#self_due", "15/10/2027"), ("#appraisal_due", "15/11/2027"),
                       ("#explanation_due", "30/11/2027"), ("#publish_due", "20/12/2027")):
        page.fill(field, day)
    page.click("text=Mở đợt đánh giá >> nth=-1")
    page.wait_for_url("**/dot/**")
    expect(page.locator("main")).to_contain_text("Đã nộp tự đánh giá 0/9")
    return page.url


def _ids():
    round_ = db.session.execute(select(ParRound).where(ParRound.year == 2027)).scalar_one()
    an_phuoc = db.session.execute(select(OrgUnit).where(OrgUnit.code == "TH-ANPHUOC")).scalar_one()
    mine = db.session.execute(select(ParAssessment).where(ParAssessment.round_id == round_.id,
                                                          ParAssessment.unit_id == an_phuoc.id)).scalar_one()
    return round_.id, mine.id, {s.sub.code: s.id for s in _scores(mine.id)}


def _scores(assessment_id):
    return db.session.execute(select(ParScore).where(ParScore.assessment_id == assessment_id)).scalars().all()


def _self_assess(page, site, assessment_id, scores, size):
    page.goto(f"{site}/chi-so-cchc/tu-danh-gia/{assessment_id}")
    for code, points in (("1.1.1", "2"), ("1.2.1", "1,5"), ("2.1.1", "3")):
        page.fill(f"#points_{scores[code]}", points)
        page.fill(f"#note_{scores[code]}", f"Đã thực hiện tiêu chí {code}")
    page.click("text=Lưu bản nháp")
    expect(page.locator("main")).to_contain_text("Đã lưu bản nháp tự đánh giá (3 tiêu chí thay đổi)")
    save_screenshot(page, f"par-self-assessment-{size}")
    for code in ("1.1.1", "1.2.1"):
        page.goto(f"{site}/chi-so-cchc/diem/{scores[code]}")
        page.set_input_files("#file", _file(f"kiem-chung-{code}.pdf", PDF_BYTES, "application/pdf"))
        page.click("text=Thêm tài liệu kiểm chứng >> nth=-1")
        expect(page.locator("main")).to_contain_text("Đã thêm tài liệu kiểm chứng")
    plan = db.session.execute(select(Plan).join(Task, Task.plan_id == Plan.id).join(OrgUnit, OrgUnit.id == Task.unit_id)
                              .where(OrgUnit.code == "TH-ANPHUOC").order_by(Plan.id)).scalars().first()
    page.goto(f"{site}/chi-so-cchc/diem/{scores['2.1.1']}")
    page.select_option("#link_type", "plan")
    page.fill("#link_id", str(plan.id))
    page.click("text=Thêm tài liệu kiểm chứng >> nth=-1")
    expect(page.locator("main")).to_contain_text("Kế hoạch số")


def _appraise(page, site, score_id, decision, points="", reason=""):
    page.goto(f"{site}/chi-so-cchc/diem/{score_id}")
    page.select_option("#decision", decision)
    page.fill("#points", points)
    page.fill("#reason", reason)
    page.click("text=Lưu kết quả thẩm định")
    expect(page.locator("main")).to_contain_text("Đã lưu kết quả thẩm định")


def _advance(page, round_url):
    page.goto(round_url)
    page.click("text=Chuyển giai đoạn tiếp theo")
    expect(page.locator("main")).to_contain_text("Đợt đánh giá chuyển sang giai đoạn")


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_a_round_end_to_end(new_context, demo_site, size, viewport):
    site = demo_site
    coordinator = _as(new_context, viewport, site, "coordinator")
    round_url = _import_and_open(coordinator, site, size)
    round_id, assessment_id, scores = _ids()
    officer = _as(new_context, viewport, site, "officer")
    _self_assess(officer, site, assessment_id, scores, size)
    head = _as(new_context, viewport, site, "head")
    head.goto(f"{site}/chi-so-cchc/tu-danh-gia/{assessment_id}")
    head.once("dialog", lambda dialog: dialog.accept())
    head.click("text=Nộp bản tự đánh giá >> nth=-1")
    expect(head.locator("main")).to_contain_text("Đã nộp bản tự đánh giá")

    coordinator.goto(round_url)
    inspector_id = db.session.execute(select(User.id).where(User.username == "inspector")).scalar_one()
    coordinator.select_option("#user_id", str(inspector_id))
    coordinator.click("text=Thêm thành viên")
    expect(coordinator.locator(".flash-success")).to_contain_text("Đã thêm thành viên tổ thẩm định.")
    _advance(coordinator, round_url)
    inspector = _as(new_context, viewport, site, "inspector")
    _appraise(inspector, site, scores["1.1.1"], "change", "0", "Kế hoạch ban hành sau thời hạn")
    _appraise(inspector, site, scores["2.1.1"], "change", "1", "Thiếu báo cáo rà soát")
    save_screenshot(inspector, f"par-appraisal-{size}")

    _advance(coordinator, round_url)
    officer.goto(f"{site}/chi-so-cchc/diem/{scores['2.1.1']}")
    officer.set_input_files("#file", _file("bao-cao-ra-soat.pdf", PDF_BYTES, "application/pdf"))
    officer.click("text=Thêm tài liệu kiểm chứng >> nth=-1")
    expect(officer.locator("main")).to_contain_text("Đã thêm tài liệu kiểm chứng")  # typed into the new page
    officer.fill("#reply", "Bổ sung Báo cáo rà soát số 12/BC-UBND ngày 20/9/2027")
    officer.click("text=Gửi giải trình")
    expect(officer.locator("main")).to_contain_text("Đã gửi giải trình")
    save_screenshot(officer, f"par-explanation-{size}")

    _advance(coordinator, round_url)
    _appraise(inspector, site, scores["2.1.1"], "accept")
    leader = _as(new_context, viewport, site, "leader")
    leader.goto(round_url)
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.click("text=Công bố kết quả >> nth=-1")  # other communes have not submitted: refused, counted
    expect(leader.locator("main")).to_contain_text("đơn vị chưa nộp tự đánh giá. Chọn")
    leader.check("#count_unsubmitted")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.click("text=Công bố kết quả >> nth=-1")
    expect(leader.locator("main")).to_contain_text("Đã công bố kết quả")
    leader.wait_for_load_state()  # the ranking below the message, whole
    save_screenshot(leader, f"par-results-{size}")
    row = leader.locator(".par-ranking tr", has_text="An Phước").inner_text()
    assert row.split("\t")[:6] == ["1", "Ủy ban nhân dân xã An Phước", "4,5", "7", "64,29", "Trung bình"]

    run_jobs()
    db.session.expire_all()
    report = db.session.get(Report, db.session.get(ParRound, round_id).decision_report_id)
    text = " ".join(pdf_text(stored_bytes(report.attachment_id)).split())
    number = db.session.get(Document, report.document_id).number_text
    assert f"Số: {number}" in text and "QUYẾT ĐỊNH" in text and "PHỤ LỤC" in text
    assert "1 Ủy ban nhân dân xã An Phước 4,50 7,00 64,29 Trung bình" in text

    coordinator.goto(round_url)
    coordinator.click("text=Lập kế hoạch khắc phục năm 2028")
    coordinator.wait_for_url("**/plans/**")
    assert "Khắc phục tiêu chí 1.1" in coordinator.inner_text("main")
    save_screenshot(coordinator, f"par-remediation-plan-{size}")
