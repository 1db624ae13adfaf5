"""Tra cứu văn bản: an issued document prints its code and QR on page 1 (a footer below the text
frame); the public page, without sign-in, shows its number, date, issuing body, trích yếu and
signatures, and checks a copy (identical, validly signed over the same bytes, or not); 404 for an
unknown code, a draft and a surprise inspection's document before the inspection starts."""

import io
import re

from sqlalchemy import func, select

from inspection.reports.pdf import render_html
from models import Attachment, Document, Inspection, db
from tests.factories import csrf_token
from tests.reports.support import pdf_text, pdf_words, stored_bytes

from .desktop_tool import sign_with_p12
from .test_agency import changed_byte
from .test_personal import p12_of


def check(client, document, data: bytes) -> str:
    path = f"/tra-cuu/{document.verify_code}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "copy": (io.BytesIO(data), "vb.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_first_page_prints_the_code_and_a_qr_below_the_text(issued):
    pdf = stored_bytes(issued.signed_pdf_id)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", issued.verify_code)
    first = " ".join(pdf_text(pdf, page=1).split())
    assert f"Mã tra cứu: {issued.verify_code}" in first and f"/tra-cuu/{issued.verify_code}" in first
    assert issued.verify_code not in " ".join(pdf_text(pdf, page=2).split())
    height = 841.89
    _, words = pdf_words(pdf, 1)
    code = [w for w in words if w[0] == issued.verify_code][0]
    assert code[2] > height - 20 * 72 / 25.4  # in the bottom margin, below the text frame
    html = render_html("conclusion", issued.snapshot)
    assert re.search(r'<div class="verify-footer"><svg[^>]*>.*</svg>', html)  # the QR, drawn inline


def test_the_public_page_shows_the_document_without_sign_in(issued, client):
    page = client.get(f"/tra-cuu/{issued.verify_code}")
    assert page.status_code == 200 and "public" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    for expected in (issued.number_text, "Ủy ban nhân dân tỉnh Đồng Tháp", issued.title, "Hợp lệ"):
        assert expected in text
    assert client.get(f"/tra-cuu?ma={issued.verify_code.lower()}").headers["Location"].endswith(issued.verify_code)


def test_a_copy_is_checked_identical_signed_or_not_and_nothing_is_stored(issued, client, pki):
    before = db.session.execute(select(func.count(Attachment.id))).scalar_one()
    assert "trùng khớp từng byte" in check(client, issued, stored_bytes(issued.signed_pdf_id))
    assert "trùng khớp từng byte" in check(client, issued, stored_bytes(issued.pdf_id))
    resigned = sign_with_p12(stored_bytes(issued.pdf_id), p12_of(pki, "Lê Văn Cường"), "pw")
    assert "chữ ký số hợp lệ trên đúng nội dung" in check(client, issued, resigned)
    tampered = changed_byte(stored_bytes(issued.signed_pdf_id), len(stored_bytes(issued.pdf_id)) // 2)
    assert "Không khớp" in check(client, issued, tampered)
    assert "không phải PDF" in check(client, issued, b"hello")
    assert db.session.execute(select(func.count(Attachment.id))).scalar_one() == before


def test_unknown_codes_drafts_and_pending_surprise_inspections_are_404(issued, client, demo):
    assert client.get("/tra-cuu/AAAAA-BBBBB").status_code == 404
    draft = Document(kind="minutes", subject_type="inspection", subject_id=issued.subject_id, unit_id=issued.unit_id,
                     type_code="BB", status="draft", verify_code="DRAFT-22222", snapshot={})
    db.session.add(draft)
    db.session.commit()
    assert client.get("/tra-cuu/DRAFT-22222").status_code == 404
    inspection = db.session.get(Inspection, issued.subject_id)
    inspection.kind, inspection.status = "surprise", "planned"
    db.session.commit()
    assert client.get(f"/tra-cuu/{issued.verify_code}").status_code == 404
    assert client.post(f"/tra-cuu/{issued.verify_code}", data={}).status_code in (400, 404)
