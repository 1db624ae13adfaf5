"""A leader signs the issued file with their own token elsewhere and uploads it: accepted only
when the signature is valid, covers the whole file, is over exactly the issued bytes, chains to
a trust anchor, is unexpired and is the person's in the signature block; then the agency signs
on top and both signatures validate. Each refusal has its message and stores nothing."""

import io
from datetime import timedelta

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import func, select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.signing import demo as pki_demo
from inspection.signing.validation import check_pdf
from models import Attachment, DocumentSignature, db, utcnow
from tests.factories import csrf_token, sign_in
from tests.pki import pdfsig
from tests.reports.support import stored_bytes

from .desktop_tool import sign_with_p12
from .test_agency import changed_byte

LEADER = "Nguyễn Văn Hòa"


def p12_of(pki, name=LEADER, **kwargs) -> bytes:
    return pki_demo.personal_pkcs12(pki.ca, name, "pw", **kwargs)


def upload(client, demo, document, data: bytes, *, signed_in: bool = False):
    if not signed_in:
        sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    path = f"/documents/{document.id}/signature"
    return client.post(path, data={"csrf_token": csrf_token(client, path), "signed": (io.BytesIO(data), "da-ky.pdf")},
                       content_type="multipart/form-data")


def counts() -> tuple[int, int]:
    return (db.session.execute(select(func.count(DocumentSignature.id))).scalar_one(),
            db.session.execute(select(func.count(Attachment.id))).scalar_one())


def test_a_valid_personal_signature_is_filed_and_the_agency_signs_on_top(demo, issued, client, pki, tmp_path):
    sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    unsigned = client.get(f"/documents/{issued.id}/unsigned").data
    assert unsigned == stored_bytes(issued.pdf_id)  # the final file as issued, before any signature
    personal = sign_with_p12(unsigned, p12_of(pki), "pw")
    response = upload(client, demo, issued, personal, signed_in=True)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.refresh(issued)
    final = stored_bytes(issued.signed_pdf_id)
    assert final.startswith(personal)  # the agency's signature is an incremental update on top
    first, second = check_pdf(final)
    assert (first.signer_name, first.status, first.whole_file, first.later_changes_ok) == (LEADER, "valid", False, True)
    assert (second.status, second.whole_file) == ("valid", True)
    verdict = pdfsig(pki, final, tmp_path)
    assert verdict.count("Signature is Valid") == 2 and "Total document signed" in verdict, verdict
    roles = [(s.role, s.status) for s in db.session.execute(select(DocumentSignature).where(
        DocumentSignature.document_id == issued.id).order_by(DocumentSignature.id)).scalars()]
    assert roles == [("agency", "valid"), ("personal", "valid"), ("agency", "valid")]
    register = client.get("/documents").get_data(as_text=True)
    assert "Đã ký số" in register and LEADER in register


def rotated(pdf: bytes) -> bytes:
    """The issued bytes kept, its first page turned by an incremental update (what a signature must not do)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _other_ca_p12(pki) -> bytes:
    return pki_demo.personal_pkcs12(pki_demo.make_ca("CA không được cài đặt"), LEADER, "pw")


REFUSALS = {
    "tampered": (lambda pki, pdf: changed_byte(sign_with_p12(pdf, p12_of(pki), "pw"), len(pdf) // 2),
                 "Tệp đã bị sửa sau khi ký"),
    "appended": (lambda pki, pdf: sign_with_p12(pdf, p12_of(pki), "pw") + b"\n% added\n", "Tệp đã bị sửa sau khi ký"),
    "wrong signer": (lambda pki, pdf: sign_with_p12(pdf, p12_of(pki, "Trần Thị Bình"), "pw"),
                     "Chứng thư số không phải của người ký văn bản"),
    "expired": (lambda pki, pdf: sign_with_p12(pdf, p12_of(pki, valid_from=utcnow() - timedelta(days=400),
                                                           valid_to=utcnow() - timedelta(days=1)), "pw"),
                "Chứng thư số đã hết hạn"),
    "untrusted root": (lambda pki, pdf: sign_with_p12(pdf, _other_ca_p12(pki), "pw"), "không được tin cậy"),
    "unsigned": (lambda pki, pdf: pdf, "Tệp chưa được ký số"),
    "another document": (lambda pki, pdf: sign_with_p12(changed_byte(pdf, len(pdf) // 2), p12_of(pki), "pw"),
                         "Tệp không phải văn bản đã ban hành"),
    "page changed before signing": (lambda pki, pdf: sign_with_p12(rotated(pdf), p12_of(pki), "pw"),
                                    "Tệp không phải văn bản đã ban hành"),
    "not a pdf": (lambda pki, pdf: b"%PDF-1.7\nnot really", "không phải PDF"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_upload_says_why_and_stores_nothing(demo, issued, client, pki, case):
    make, message = REFUSALS[case]
    data = make(pki, stored_bytes(issued.pdf_id))
    before, signed_before = counts(), issued.signed_pdf_id
    response = upload(client, demo, issued, data)
    assert response.status_code == 302
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(issued)
    assert counts() == before and issued.signed_pdf_id == signed_before
