"""The minutes signed on the tablet by both sides: each signature bound to the content hash of the
minutes it signed (refused on other minutes or changed content), the minutes issued (numbered, no
DỰ THẢO) with both signatures drawn in their blocks; the căn cứ in full, Ông/Bà from the person's
record, the criterion's code in its own column."""

import io
import os
import re
import uuid
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from inspection.errors import InvalidTransition, ValidationError
from inspection.inspections import minutes
from inspection.reports.queries import issued_document
from models import MinutesSignature, db

from .support import FINDING_TEXT, _poppler, on_site, pdf_text, run_jobs, stored_bytes, walk_to_minutes

PARTS = {"began": "08:15", "ended": "11:40", "strengths": "Bộ phận Một cửa bố trí đủ công chức.",
         "team_recommendations": "Niêm yết bổ sung các thủ tục còn thiếu trong 15 ngày.",
         "unit_comments": "Đơn vị thống nhất với nội dung biên bản.",
         "other_representatives": "Lê Thị Hoa, Công chức Văn phòng - Thống kê"}


def drawn(seed: int = 0) -> bytes:
    """A signature as the tablet's canvas sends it: strokes on a transparent PNG."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.line([(40, 180 - seed), (160, 60), (260, 190), (380, 70 + seed), (540, 150)], fill=(10, 30, 120, 255),
             width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sign(inspection, role: str, *, digest: str | None = None, client_uuid: str | None = None, image=None):
    return minutes.sign_minutes(_lead(inspection), inspection, role=role,
                                image=image or drawn(len(role)), client_uuid=client_uuid or str(uuid.uuid4()),
                                content_hash_signed=digest or minutes.content_hash(inspection),
                                device_time=on_site(12), device="Máy tính bảng Đoàn kiểm tra 01")


def _lead(inspection):
    return next(m.user for m in inspection.members if m.role == "lead")


def test_both_signatures_make_the_minutes_final_with_both_drawn_in_the_pdf(demo):
    demo.user("inspector").honorific = "Ông"
    inspection = walk_to_minutes(demo, **PARTS)
    sign(inspection, "lead")
    assert issued_document("minutes", inspection) is None  # one side only: still a draft
    sign(inspection, "unit")
    document = issued_document("minutes", inspection)
    assert document is not None and document.number_text == "01/BB-ĐKT"
    run_jobs()
    db.session.refresh(document)
    pdf = stored_bytes(document.pdf_id)
    text = " ".join(pdf_text(pdf).split())
    if os.environ.get("CCHC_SCREENSHOTS"):
        Path(os.environ["CCHC_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["CCHC_SCREENSHOTS"]) / "minutes-signed.pdf").write_bytes(pdf)
    assert "DỰ THẢO" not in text and "Số: 01/BB-ĐKT" in text
    assert ("Căn cứ Quyết định số 121/QĐ-UBND ngày 05/01/2026 của Ủy ban nhân dân tỉnh Đồng Tháp về việc "
            "thành lập Đoàn kiểm tra công tác cải cách hành chính năm 2026") in text
    assert "Ông (bà)" not in text and "Ông Phạm Minh Tuấn" in text
    assert "Lê Thị Hoa, Công chức Văn phòng - Thống kê" in text
    assert "08 giờ 15" in text and "11 giờ 40" in text
    for part in PARTS.values():
        if part[:2].isalpha():
            assert part in text
    table = " ".join(pdf_text(pdf, layout=True).split())  # in reading order across the columns
    assert "STT Mã Tiêu chí Kết quả Ghi chú" in table  # the code in its own column, never in STT
    assert re.search(r"1 1\.1 Niêm yết công khai .{0,20}Không đạt Chưa niêm yết 3/45", table)
    assert FINDING_TEXT in text and "Cần khắc phục" in text and "Nghiêm trọng" not in text
    images = _poppler("pdfimages", pdf, "-list").splitlines()[2:]
    assert sum(1 for line in images if " smask " in line or " image " in line) >= 2


def test_a_signature_replayed_onto_other_minutes_or_changed_content_is_refused(demo):
    first = walk_to_minutes(demo, **PARTS)
    second = walk_to_minutes(demo, target_code="TH-SARAI", photos=0, **PARTS)
    signed = sign(first, "lead")
    with pytest.raises(ValidationError, match="không khớp nội dung"):  # the first's hash onto the second
        sign(second, "lead", digest=signed.content_hash, image=signed.image)
    with pytest.raises(ValidationError, match="không khớp nội dung"):  # the same item (UUID) onto the second
        sign(second, "lead", digest=minutes.content_hash(second), client_uuid=signed.client_uuid)
    with pytest.raises(ValidationError, match="không khớp nội dung"):  # content that is not these minutes'
        sign(first, "unit", digest="0" * 64)
    with pytest.raises(InvalidTransition, match="đã ký"):
        sign(first, "lead")
    assert sign(first, "lead", client_uuid=signed.client_uuid).id == signed.id  # a retry: stored once
    assert db.session.query(MinutesSignature).filter_by(inspection_id=second.id).count() == 0
    assert issued_document("minutes", second) is None


def test_minutes_without_a_complete_basis_are_not_closed(demo):
    with pytest.raises(ValidationError, match="Căn cứ chưa đủ: nhập trích yếu"):
        walk_to_minutes(demo, decision_summary="")
