"""Issue 21, "Done when": each document type rendered from the demo province and from the shared
scenario, read back with pdftotext and pdffonts, says what an official of a Nội vụ office checks
before signing: the basis cited in full, deadlines on or after the issue date, requirements the team
wrote (no "Khắc phục: " prefix), one addressee, a causes part, one date for a one-day inspection,
the remediation report issued by the inspected commune and addressed upward, recipients that are
bodies, "Lưu: VT, <code>.", the two-level progress header, the issuing unit's own place name, "Số"
and the place and date on one line, every font embedded.

CCHC_PDFS=<dir> keeps each PDF there (to look at every page with pdftoppm)."""

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspection.language.formatting import local_today
from inspection.remediation import evidence
from inspection.reports import services
from models import Conclusion, RemediationAction, db
from tests.factories import make_photo

from .support import issue, pdf_fonts, pdf_text, run_jobs, stored_bytes, walk_to_draft

DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def flat(text: str) -> str:
    return " ".join(text.split())


def _keep(name: str, pdf: bytes) -> bytes:
    if folder := os.environ.get("CCHC_PDFS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.pdf").write_bytes(pdf)
    return pdf


def _issued(actor, kind, subject, name, params=None):
    document = issue(actor, kind, subject, params=params)
    run_jobs()
    db.session.refresh(document)
    return document, _keep(name, stored_bytes(document.pdf_id))


def _draft(actor, kind, subject, name, params=None) -> bytes:
    report = services.request_report(actor, kind, subject, params=params)
    run_jobs()
    db.session.refresh(report)
    assert report.status == "ready", report.error
    return _keep(name, stored_bytes(report.attachment_id))


def assert_frame(pdf: bytes, *, number: str, place: str) -> str:
    """Every font embedded; "Số" and the place and date on one line; no district in 2026."""
    fonts = pdf_fonts(pdf).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", f) for f in fonts), fonts
    layout = pdf_text(pdf, layout=True)
    assert re.search(rf"Số: {re.escape(number)}\s+{re.escape(place)}, ngày", layout), layout[:900]
    text = flat(pdf_text(pdf))
    assert "HUYỆN" not in text.split("Nơi nhận")[0].split("CỘNG HÒA")[0]  # the masthead
    return text


def recipients(text: str) -> list[str]:
    """The "Nơi nhận" lines, each without its dash."""
    block = text.split("Nơi nhận:", 1)[1]
    return [line.strip() for line in re.split(r"(?:^|\s)- ", block) if line.strip()][:8]


def assert_bodies(lines: list[str], filing: str) -> None:
    assert not [line for line in lines if re.match(r"(Tỉnh|Xã|Huyện|Phường) ", line)], lines  # no territory
    assert any(line.startswith(filing) for line in lines), lines


def test_the_conclusion_says_the_right_thing(demo):
    leader = demo.user("leader")
    inspection = walk_to_draft(demo)
    conclusion = db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar_one()
    conclusion.causes = "Công chức Bộ phận Một cửa kiêm nhiệm nhiều việc."
    item = conclusion.items[0]
    item.deadline, item.deadline_days = None, 15
    db.session.commit()
    draft = flat(pdf_text(_draft(leader, "conclusion", inspection, "conclusion-draft")))
    assert "Trong thời hạn 15 ngày kể từ ngày ký" in draft

    document, pdf = _issued(leader, "conclusion", inspection, "conclusion-issued")
    text = assert_frame(pdf, number="01/TB-UBND", place="Đồng Tháp")
    today = local_today()
    assert "Căn cứ Quyết định số 121/QĐ-UBND" in text
    assert f"Căn cứ Biên bản kiểm tra ngày {today:%d/%m/%Y} của Đoàn kiểm tra" in text
    assert f"Ngày {today:%d/%m/%Y}, Đoàn kiểm tra của Ủy ban nhân dân tỉnh Đồng Tháp" in text
    assert "Từ ngày" not in text  # a one-day inspection
    assert f"Kết luận {inspection.title[:1].lower()}{inspection.title[1:]}" in text  # its own title
    assert "4. Nguyên nhân Công chức Bộ phận Một cửa kiêm nhiệm nhiều việc." in text
    assert "Khắc phục: " not in text and "Niêm yết bổ sung 3 thủ tục" in text  # as the team wrote it
    table = text.split("Thời hạn", 1)[1].split("Trên đây", 1)[0]
    dates = [date(int(y), int(m), int(d)) for d, m, y in DATE.findall(table)]
    assert dates == [today + timedelta(days=15)] and all(d >= document.issued_on for d in dates)
    assert "báo cáo kết quả khắc phục về Ủy ban nhân dân tỉnh Đồng Tháp đúng thời hạn" in text
    assert "Phòng Nội vụ" not in text  # one addressee
    lines = recipients(text)
    assert lines[0] == "UBND xã An Phước (để thực hiện);" and "Sở Nội vụ (để theo dõi);" in lines
    assert_bodies(lines, "Lưu: VT, SNV.")
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text


def test_the_remediation_report_goes_up_from_the_commune(demo):
    leader, officer, head = demo.user("leader"), demo.user("officer"), demo.user("head")
    inspection = walk_to_draft(demo, photos=1)
    conclusion, _ = _issued(leader, "conclusion", inspection, "conclusion-for-remediation")
    action = db.session.execute(select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id)).scalar_one()
    picture = FileStorage(io.BytesIO(make_photo(size=(1200, 900))), filename="sau.jpg")
    evidence.submit_with_evidence(officer, action, note="Đã niêm yết bổ sung 3 thủ tục hành chính",
                                  pictures=[picture], version=action.version)
    document, pdf = _issued(head, "remediation_report", inspection, "remediation-an-phuoc")
    assert document.number_text == "01/BC-UBND" and document.unit_id == demo.units["TH-ANPHUOC"].id
    text = assert_frame(pdf, number="01/BC-UBND", place="An Phước")
    assert "ỦY BAN NHÂN DÂN XÃ AN PHƯỚC" in text
    assert (f"Thực hiện Thông báo kết luận kiểm tra số {conclusion.number_text} ngày "
            f"{conclusion.issued_on:%d/%m/%Y} của Ủy ban nhân dân tỉnh Đồng Tháp") in text
    assert "báo cáo Ủy ban nhân dân tỉnh Đồng Tháp kết quả khắc phục" in text
    assert "Ảnh trước khắc phục:" in text and "Ảnh sau khắc phục, lần 1:" in text
    assert "(trước khắc phục): Chưa niêm yết 3/45" in text and "chụp lúc" in text
    assert "(sau khắc phục, lần 1): Đã niêm yết bổ sung 3 thủ tục hành chính" in text
    lines = recipients(text)
    assert lines[:2] == ["UBND tỉnh Đồng Tháp (để báo cáo);", "Sở Nội vụ (để theo dõi, tổng hợp);"]
    assert_bodies(lines, "Lưu: VT, VP.")
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text and "Đặng Văn Lợi" in text


def test_the_progress_report_has_both_rates_and_the_two_level_header(demo):
    pdf = _draft(demo.user("leader"), "progress_report", demo.plan, "progress-2024")
    text = flat(pdf_text(pdf))
    layout = pdf_text(pdf, layout=True)
    assert "Đã hoàn thành" in layout and "Chưa hoàn" in layout and re.search(
        r"Đúng\s+Quá\s+Trong\s+Quá", layout), layout  # the second level under each
    assert "Tỷ lệ hoàn thành trên số đã đến hạn" in text and "Tỷ lệ hoàn thành trên tổng số" in text
    assert "hoàn thành 22/24 nhiệm vụ (91,7%)" in text and "Tổng số" in text
    assert "(*) Thời hạn đã được gia hạn." in text  # one task of the demo plan was extended
    chart = text.split("Tiến độ thực hiện theo lĩnh vực", 1)[1].split("II. KẾT QUẢ", 1)[0]
    assert "…" not in chart and "Công tác chỉ đạo, điều hành cải cách hành chính" in chart  # wrapped, not cut
    assert "25%" in chart and "4/4 (100,0%)" in chart  # bars in percent, counts written
    lines = recipients(text)
    assert_bodies(lines, "Lưu: VT, SNV.")
    assert "Đồng Tháp, ngày" in text


def test_the_shared_scenario_s_documents(scenario):
    """The same rules on the scenario's province: the committee's plan, a task led by Sở Nội vụ and
    none extended (no footnote); the filing code from the drafting body's name (no setting)."""
    from inspection.language.text import fold
    from models import Task
    from tests.scenario import new_plan_of

    plan = new_plan_of(scenario.units["pc"])
    title = "Tổng hợp báo cáo cải cách hành chính quý"
    db.session.add(Task(plan_id=plan.id, number="1", title=title, title_folded=fold(title),
                        unit_id=scenario.units["noi_vu"].id, deadline=date(2025, 9, 30),
                        original_deadline=date(2025, 9, 30)))
    db.session.commit()
    pdf = _draft(scenario.users["leader"], "progress_report", plan, "progress-scenario")
    text = flat(pdf_text(pdf))
    assert "(*) Thời hạn đã được gia hạn." not in text and "Tổng số" in text
    assert "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP" in text and "Số nhiệm vụ" in text
    assert_bodies(recipients(text), "Lưu: VT, SNV.")


def test_signature_authorities_follow_the_issuing_unit_s_settings(ctx):
    from inspection.reports.snapshots import signature
    from models.enums import Role, UnitKind
    from tests.factories import make_unit, make_user

    province = make_unit(name="Ủy ban nhân dân tỉnh Đồng Tháp", kind=UnitKind.PEOPLES_COMMITTEE,
                         signing_authorities="TM,KT,TL,TUQ,Q")
    commune = make_unit(name="Ủy ban nhân dân xã An Phước", kind=UnitKind.COMMUNE, parent=province)

    def lines(unit, title):
        return signature(unit, make_user(role=Role.LEADER, unit=unit, title=title))["lines"]

    assert lines(province, "Quyền Chủ tịch UBND tỉnh") == ["TM. ỦY BAN NHÂN DÂN", "Q. CHỦ TỊCH"]
    assert lines(province, "Chánh Văn phòng UBND tỉnh") == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG UBND TỈNH"]
    assert lines(province, "Giám đốc Sở Nội vụ") == ["TUQ. CHỦ TỊCH", "GIÁM ĐỐC SỞ NỘI VỤ"]
    assert lines(province, "Phó Chủ tịch UBND tỉnh") == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    # a commune with no setting signs TM. and KT. only: an acting chair's title gives no Q. there
    assert lines(commune, "Quyền Chủ tịch UBND xã") == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert lines(commune, "Giám đốc Sở Nội vụ") == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
