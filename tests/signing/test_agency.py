"""The agency's signature at issue: the worker signs the final PDF through PKCS#11 (a SoftHSM2
token of the test's own) or a PKCS#12 file; pyHanko and poppler's pdfsig both find it valid,
chained to the installed anchor and covering the whole file, and invalid after one changed byte."""

import io

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from inspection.signing import demo as pki_demo
from inspection.signing.certificates import DEMO_CA_NAME
from inspection.signing.mappings import set_unit_key
from inspection.signing.validation import check_pdf
from models import DocumentSignature, Report, db
from tests.pki import AGENCY, DEPARTMENT_KEY, PIN, TOKEN, pdfsig
from tests.reports.support import Demo, issue, pdf_words, run_jobs, stored_bytes, walk_to_draft


@pytest.fixture
def demo(ctx) -> Demo:
    return Demo()


def issue_conclusion(demo: Demo):
    document = issue(demo.user("leader"), "conclusion", walk_to_draft(demo))
    run_jobs()
    db.session.refresh(document)
    return document


def changed_byte(pdf: bytes, at: int) -> bytes:
    data = bytearray(pdf)
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    return bytes(data)


def test_an_issued_conclusion_is_signed_by_the_agency_key_in_the_token(demo, agency_token, tmp_path):
    document = issue_conclusion(demo)
    unsigned, signed = stored_bytes(document.pdf_id), stored_bytes(document.signed_pdf_id)
    assert signed.startswith(unsigned)  # an incremental update: the issued bytes stay as they were
    [check] = check_pdf(signed)
    assert (check.status, check.intact, check.whole_file) == ("valid", True, True)
    assert check.signer_name == AGENCY and DEMO_CA_NAME in check.anchor_name
    [row] = db.session.execute(select(DocumentSignature).where(DocumentSignature.document_id == document.id)).scalars()
    assert (row.role, row.status, row.signer_name, row.pdf_id) == ("agency", "valid", AGENCY, document.signed_pdf_id)
    verdict = pdfsig(agency_token, signed, tmp_path)
    assert "Signature is Valid" in verdict and "Total document signed" in verdict, verdict
    assert "Certificate is Trusted" in verdict and f"Common Name: {AGENCY}" in verdict, verdict
    # the whole chain travels in the signature: the CA's certificate is embedded
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert DEMO_CA_NAME in {c.subject.native.get("common_name") for c in embedded.other_embedded_certs}


def test_the_appearance_lies_over_the_signature_block(demo, agency_token):
    document = issue_conclusion(demo)
    signed = stored_bytes(document.signed_pdf_id)
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    x1, y1, x2, y2 = (float(v) for v in embedded.sig_field["/Rect"])
    page = document.sign_box["page"] + 1
    width, words = pdf_words(signed, page)
    height = 841.89
    name = [w for w in words if w[0] == "Hòa"]  # the signer's name under the signature block
    authority = [w for w in words if w[0] == "TỊCH"]  # "PHÓ CHỦ TỊCH" above it
    assert name and authority
    assert authority[-1][3] <= height - y2 + 2 and height - y1 <= name[-1][3]  # between position and name
    mm = 72 / 25.4
    assert x1 >= (30 + 0.45 * 165) * mm - 1 and x2 <= width - 15 * mm + 1  # the right column, inside the margin


def test_one_changed_byte_is_reported_invalid_by_pyhanko_and_pdfsig(demo, agency_token, tmp_path):
    signed = stored_bytes(issue_conclusion(demo).signed_pdf_id)
    tampered = changed_byte(signed, signed.index(b"/Title") + 8)  # in the signed revision
    [check] = check_pdf(tampered)
    assert (check.status, check.intact) == ("invalid", False)
    verdict = pdfsig(agency_token, tampered, tmp_path)
    assert "Signature is Valid" not in verdict and "Digest Mismatch" in verdict, verdict


def test_the_private_key_never_leaves_the_token(agency_token):
    token = pkcs11.lib(pki_demo.SOFTHSM_MODULE).get_token(token_label=TOKEN)
    with token.open(user_pin=PIN) as session:
        for label in (TOKEN, DEPARTMENT_KEY):  # the UBND's key and Phòng Nội vụ's
            key = session.get_key(ObjectClass.PRIVATE_KEY, label=label)
            assert key[Attribute.SENSITIVE] is True and key[Attribute.EXTRACTABLE] is False
            with pytest.raises(pkcs11.exceptions.AttributeSensitive):
                key[Attribute.PRIVATE_EXPONENT]  # noqa: B018


def test_a_pkcs12_file_signs_too(demo, agency_token, app, monkeypatch, tmp_path):
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(pki_demo.personal_pkcs12(agency_token.ca, AGENCY, "bi-mat", org=AGENCY))
    monkeypatch.setitem(app.config, "SIGN_PKCS11_MODULE", "")
    monkeypatch.setitem(app.config, "SIGN_PKCS12_PASSWORD", "bi-mat")
    set_unit_key(None, demo.units["TH"], pkcs12_path=str(p12))
    signed = stored_bytes(issue_conclusion(demo).signed_pdf_id)
    [check] = check_pdf(signed)
    assert (check.status, check.whole_file, check.signer_name) == ("valid", True, AGENCY)
    assert "Signature is Valid" in pdfsig(agency_token, signed, tmp_path)


def test_the_production_profile_refuses_the_demo_ca(demo, agency_token, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROFILE", "production")
    leader = demo.user("leader")
    document = issue(leader, "conclusion", walk_to_draft(demo))
    run_jobs()
    report = db.session.execute(select(Report).where(Report.document_id == document.id)).scalar_one()
    db.session.refresh(report)
    db.session.refresh(document)
    assert report.status == "failed" and "CA thử nghiệm" in report.error
    assert document.signed_pdf_id is None


def test_without_a_key_the_document_is_issued_unsigned(demo):
    document = issue_conclusion(demo)
    assert document.pdf_id is not None and document.signed_pdf_id is None and document.sign_box["page"] >= 0
