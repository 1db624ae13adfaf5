"""Every document kind rendered by the job from the demo data, read back with poppler; issuing:
numbers per unit, year and type, the date, the frozen content; the register of outgoing documents."""

import hashlib
import io
import re
import tempfile
import uuid

import pytest
from sqlalchemy import func, select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.errors import ValidationError
from inspection.files import storage
from inspection.language.formatting import local_today
from inspection.reports import services
from inspection.reports.pdf import render_html
from models import (
    Attachment,
    Conclusion,
    Document,
    Finding,
    RemediationAction,
    RemediationSubmission,
    Report,
    db,
    utcnow,
)
from tests.factories import PDF_BYTES, csrf_token, sign_in
from tests.inspections.test_photos import png_claiming

from .support import (
    FINDING_TEXT,
    issue,
    pdf_fonts,
    pdf_info,
    pdf_text,
    pdf_words,
    run_jobs,
    stored_bytes,
    walk_to_draft,
)

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def flat(text: str) -> str:
    return " ".join(text.split())


def rendered(report: Report) -> bytes:
    run_jobs()
    db.session.refresh(report)
    assert report.status == "ready", report.error
    return stored_bytes(report.attachment_id)


def assert_official_frame(pdf: bytes) -> str:
    """Motto, A4, every font embedded and the bundled serif used; the text, whitespace-flattened."""
    text = flat(pdf_text(pdf))
    for line in MOTTO:
        assert line in text
    assert "(A4)" in pdf_info(pdf)
    fonts = pdf_fonts(pdf).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in fonts), fonts
    assert all("CCHC-Liberation-Serif" in row for row in fonts), fonts
    return text


def assert_page_numbers_top_centre(pdf: bytes) -> None:
    """Nghị định 30: page numbers centred in the top margin, from page 2 (none on page 1)."""
    assert int(re.search(r"Pages:\s+(\d+)", pdf_info(pdf)).group(1)) >= 2
    assert pdf_text(pdf, page=2).lstrip().startswith("2")
    width, words = pdf_words(pdf, 2)
    number, centre, _, bottom = words[0]
    assert number == "2" and bottom < 25 * 72 / 25.4  # in the 20–25 mm top margin
    assert 0.45 * width < centre < 0.62 * width  # centred between the 30 mm and 15 mm side margins
    _, first_page = pdf_words(pdf, 1)
    assert not [w for w in first_page if w[3] < 20 * 72 / 25.4], first_page[:3]  # nothing above the masthead


def assert_progress_chart(report: Report, text: str) -> None:
    """The progress report carries its chart: an SVG in the rendered HTML, its labels in the PDF."""
    html = render_html("progress_report", report.snapshot)
    assert re.search(r'<div class="chart"><svg[^>]*role="img"', html), html[:300]
    chart = text.split("Tiến độ thực hiện theo lĩnh vực", 1)[1].split("II. KẾT QUẢ THEO LĨNH VỰC", 1)[0]
    assert "Hoàn thành đúng hạn" in chart and "Quá hạn" in chart  # the legend
    for area in report.snapshot["areas"]:  # one bar per PAR area: its (shortened) label and rate
        assert area["label"][:20] in chart and area["rate"] in chart


# (kind, type, number before issue, content, issuing body) — the remediation report of the demo's
# first concluded inspection (Sở Tư pháp) is the inspected department's own, reporting upward.
KINDS = [
    ("minutes", "BIÊN BẢN", "/BB-ĐKT", "Kiểm tra công tác cải cách hành chính tại", "ĐOÀN KIỂM TRA"),
    ("conclusion", "THÔNG BÁO", "/TB-UBND", "Kết luận kiểm tra công tác cải cách hành chính",
     "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP"),
    ("remediation_report", "BÁO CÁO", "/BC-STP", "Kết quả khắc phục tồn tại, hạn chế", "SỞ TƯ PHÁP"),
    ("progress_report", "BÁO CÁO", "/BC-UBND", "hoàn thành 22/24 nhiệm vụ (91,7%)",
     "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP"),
]


@pytest.mark.parametrize(("kind", "type_name", "number", "content", "issuer"), KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_renders_from_the_demo_data_as_a_marked_draft(demo, kind, type_name, number, content, issuer):
    subject = demo.plan if kind == "progress_report" else demo.concluded
    report = services.request_report(demo.user("leader"), kind, subject)
    pdf = rendered(report)
    text = assert_official_frame(pdf)
    assert type_name in text and content in text
    assert "DỰ THẢO" in text
    masthead = pdf_text(pdf, layout=True)
    assert re.search(rf"Số:\s+{re.escape(number)}", masthead), masthead[:600]  # no number before issue
    if kind != "minutes":  # the minutes carry the day they were drawn up; others leave it blank
        assert re.search(r"Đồng Tháp, ngày\s+tháng\s+năm", masthead), masthead[:600]
    assert issuer in text and "HUYỆN" not in text  # a 2026 document: no district issues it
    assert_page_numbers_top_centre(pdf)
    if kind == "progress_report":
        assert_progress_chart(report, text)


def test_the_minutes_show_team_results_findings_and_their_photos(demo):
    inspection = walk_to_draft(demo, photos=2)
    report = services.request_report(demo.user("inspector"), "minutes", inspection)
    pdf = rendered(report)
    text = assert_official_frame(pdf)
    for expected in ("Phạm Minh Tuấn", "Trưởng đoàn", "Đặng Văn Lợi", FINDING_TEXT, "Không đạt",
                     "ĐẠI DIỆN ĐƠN VỊ", "ĐƯỢC KIỂM TRA", "TRƯỞNG ĐOÀN KIỂM TRA", "Ảnh 1.1", "Ảnh 1.2"):
        assert expected in text
    assert pdf.count(b"/Subtype /Image") >= 2  # both photos embedded


def _issue_and_render(actor, kind, subject) -> tuple[Document, bytes]:
    document = issue(actor, kind, subject)
    run_jobs()
    db.session.refresh(document)
    assert document.pdf_id is not None
    return document, stored_bytes(document.pdf_id)


def test_issuing_numbers_dates_signs_and_drops_the_draft_mark(demo):
    inspection = walk_to_draft(demo)
    leader = demo.user("leader")
    document, pdf = _issue_and_render(leader, "conclusion", inspection)
    today = local_today()
    assert (document.number, document.number_text, document.issued_on) == (1, "01/TB-UBND", today)
    assert inspection.status == "concluded"  # the leader's issue step of the conclusion is this action
    assert db.session.execute(select(func.count(RemediationAction.id)).where(
        RemediationAction.inspection_id == inspection.id)).scalar_one() == 1
    text = assert_official_frame(pdf)
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    assert f"Đồng Tháp, ngày {today.day:02d} tháng {month} năm {today.year}" in pdf_text(pdf, layout=True)
    assert "Số: 01/TB-UBND" in text and "DỰ THẢO" not in text
    assert "KT. CHỦ TỊCH" in text and "Nguyễn Văn Hòa" in text
    assert "pdfaid:part" in pdf_info(pdf, "-meta")  # the archival variant (PDF/A-3b): generated, not validated
    with pytest.raises(ValidationError, match="đã được ban hành"):
        issue(leader, "conclusion", inspection)


def test_the_counter_runs_per_unit_year_and_type(demo):
    coordinator, head = demo.user("coordinator"), demo.user("head")
    first = walk_to_draft(demo)
    second = walk_to_draft(demo, target_code="TH-SARAI", photos=0)
    numbers = [services.issue_document(coordinator, "minutes", first).number_text,
               services.issue_document(coordinator, "minutes", second).number_text,
               services.issue_document(coordinator, "progress_report", demo.plan).number_text,
               services.issue_document(coordinator, "remediation_report", demo.concluded).number_text,
               services.issue_document(head, "remediation_report", demo.units["TH-ANPHUOC"],
                                       params={"start": f"{local_today().year}-01-01",
                                               "end": f"{local_today().year}-12-31"}).number_text]
    # the remediation report is the inspected unit's own (Sở Tư pháp); the last: xã An Phước's
    assert numbers == ["01/BB-ĐKT", "02/BB-ĐKT", "01/BC-UBND", "01/BC-STP", "01/BC-UBND"]


def test_an_issued_document_never_changes_with_its_data(demo):
    inspection = walk_to_draft(demo)
    document, pdf = _issue_and_render(demo.user("leader"), "conclusion", inspection)
    frozen = dict(document.snapshot)
    conclusion = db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar_one()
    conclusion.summary = "Nội dung sửa sau khi ban hành"
    finding = db.session.execute(select(Finding).where(Finding.inspection_id == inspection.id)).scalar_one()
    finding.description = "Mô tả đã bị sửa"
    db.session.commit()
    draft = services.request_report(demo.user("leader"), "conclusion", inspection)
    assert "Nội dung sửa sau khi ban hành" in flat(pdf_text(rendered(draft)))
    db.session.refresh(document)
    assert document.snapshot == frozen
    assert stored_bytes(document.pdf_id) == pdf
    text = flat(pdf_text(pdf))
    assert "Đơn vị cơ bản thực hiện tốt công tác CCHC." in text and "Nội dung sửa" not in text
    assert "Chưa niêm yết 3/45" in text and "Mô tả đã bị sửa" not in text  # the finding, as issued


def test_the_register_lists_issued_documents_and_takes_the_signed_scan(demo, client):
    inspection = walk_to_draft(demo)
    document, _ = _issue_and_render(demo.user("leader"), "conclusion", inspection)
    coordinator = demo.user("coordinator")
    db.session.commit()
    sign_in(client, coordinator, DEMO_PASSWORD)
    page = client.get("/documents").get_data(as_text=True)
    assert "01/TB-UBND" in page and "Đính kèm" in page
    response = client.post(f"/documents/{document.id}/scan", data={
        "csrf_token": csrf_token(client, "/documents"), "scan": (io.BytesIO(PDF_BYTES), "ban-ky.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(document)
    assert document.signed_scan_id is not None
    assert client.get(f"/documents/{document.id}/scan").data == PDF_BYTES
    assert client.get(f"/documents/{document.id}/pdf").data[:5] == b"%PDF-"
    refused = client.post(f"/documents/{document.id}/scan", data={
        "csrf_token": csrf_token(client, "/documents"), "scan": (io.BytesIO(b"<html>no</html>"), "x.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Loại tệp không được chấp nhận" in refused.get_data(as_text=True)
    officer_view = _register_as(client, demo.user("officer"))
    assert "01/TB-UBND" in officer_view  # the conclusion is addressed to xã An Phước


def _register_as(client, user) -> str:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, user, DEMO_PASSWORD)
    return client.get("/documents").get_data(as_text=True)


def _stored_around_the_checks(content: bytes, *, kind: str, mime: str) -> Attachment:
    """A file put in the store without the upload checks (as before every upload point had the pixel
    cap): its row and bytes, as `storage.store` would leave them."""
    key = f"{kind}/ab/{uuid.uuid4().hex}"
    with tempfile.NamedTemporaryFile(delete=False) as spooled:  # the store takes the file over
        spooled.write(content)
    storage.backend().put(key, spooled.name)
    attachment = Attachment(kind=kind, filename="anh-400-megapixel.png", mime_type=mime, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), storage_key=key)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def test_an_image_a_document_cannot_draw_shows_a_placeholder_not_a_failure(demo):
    """A 400-megapixel PNG kept as remediation evidence: the remediation report still renders, with
    "Ảnh không hiển thị được" where the image would be."""
    action = db.session.execute(select(RemediationAction).where(RemediationAction.inspection_id == demo.concluded.id)
                                .order_by(RemediationAction.id)).scalars().first()
    submission = RemediationSubmission(action_id=action.id, round=9, note="Đã thay máy lấy số",
                                       submitted_by_id=demo.user("officer").id, submitted_at=utcnow())
    db.session.add(submission)
    submission.attachments.append(_stored_around_the_checks(png_claiming(20_000, 20_000), kind="remediation_evidence",
                                                            mime="image/png"))
    db.session.commit()
    report = services.request_report(demo.user("leader"), "remediation_report", demo.concluded)
    text = flat(pdf_text(rendered(report)))
    assert "Ảnh không hiển thị được" in text and "Kết quả khắc phục tồn tại, hạn chế" in text


def test_a_signed_scan_over_the_pixel_cap_is_refused(demo, client):
    inspection = walk_to_draft(demo, photos=0)
    document, _ = _issue_and_render(demo.user("leader"), "conclusion", inspection)
    db.session.commit()
    sign_in(client, demo.user("coordinator"), DEMO_PASSWORD)
    refused = client.post(f"/documents/{document.id}/scan", data={
        "csrf_token": csrf_token(client, "/documents"), "scan": (io.BytesIO(png_claiming(20_000, 20_000)), "ky.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "tối đa 60 megapixel" in refused.get_data(as_text=True)
    db.session.refresh(document)
    assert document.signed_scan_id is None
