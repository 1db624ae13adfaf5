"""Each issuing unit signs with its own key: the UBND's documents carry the UBND's certificate,
Phòng Nội vụ's carry Phòng Nội vụ's, once an administrator gives it its key in the token. A unit
without a key issues unsigned documents and the register says why; no other unit's key stands in.
Administrators manage only the units of their own subtree."""

import pytest
from sqlalchemy import func, select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.inspections import conclusions
from inspection.reports import services
from models import AuditEvent, Document, DocumentSignature, UnitSigningKey, db
from models.enums import Role
from tests.factories import PASSWORD, csrf_token, make_user, sign_in
from tests.pki import AGENCY, DEPARTMENT, DEPARTMENT_KEY, TOKEN, pdfsig
from tests.reports.support import Demo, run_jobs, stored_bytes, walk_to_draft


@pytest.fixture
def demo(ctx) -> Demo:
    return Demo()


def issue(demo: Demo, unit_code: str) -> Document:
    """The UBND's inspection conclusion, or Phòng Nội vụ's own remediation report (its head issues it)."""
    if unit_code == "TH":
        document = conclusions.issue_conclusion_document(demo.user("leader"), walk_to_draft(demo))
    else:
        document = services.issue_document(demo.user("truongphongnv"), "remediation_report", demo.units[unit_code],
                                           params={"start": "2020-01-01", "end": "2030-12-31"})
    run_jobs()
    db.session.refresh(document)
    return document


def set_key(client, unit_id, token="", key="", pkcs12=""):
    return client.post("/admin/signing-keys", data={
        "csrf_token": csrf_token(client, "/admin/signing-keys"), "unit": str(unit_id), "token_label": token,
        "key_label": key, "pkcs12_path": pkcs12}, follow_redirects=True)


def register_row(client, document: Document) -> str:
    page = client.get("/documents").get_data(as_text=True)
    start = page.index(document.number_text)
    return page[start:page.index("</tr>", start)]


def test_two_issuing_units_sign_with_their_own_certificates(demo, agency_token, client, tmp_path):
    department = demo.units["TH-NV"]
    unsigned = issue(demo, "TH-NV")  # Phòng Nội vụ has no key yet: issued, unsigned, the register says why
    assert unsigned.pdf_id is not None and unsigned.signed_pdf_id is None
    assert db.session.execute(select(func.count(DocumentSignature.id))).scalar_one() == 0  # not the UBND's key
    db.session.commit()
    sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    row = register_row(client, unsigned)
    assert "Chưa ký số của cơ quan" in row and "chưa được gán khóa ký số" in row, row
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    page = set_key(client, department.id, TOKEN, DEPARTMENT_KEY).get_data(as_text=True)
    assert "Đã gán khóa ký số cho Sở Nội vụ" in page and DEPARTMENT in page
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "unit_signing_key.set",
                                                        AuditEvent.actor_id == demo.user("admin").id)).scalar_one()
    assert (event.after["key"], event.unit_id) == (DEPARTMENT_KEY, department.id)

    by_ubnd, by_department = issue(demo, "TH"), issue(demo, "TH-NV")
    for document, name in ((by_ubnd, AGENCY), (by_department, DEPARTMENT)):
        verdict = pdfsig(agency_token, stored_bytes(document.signed_pdf_id), tmp_path)
        assert "Signature is Valid" in verdict and f"Common Name: {name}" in verdict, verdict
        [signature] = db.session.execute(select(DocumentSignature).where(
            DocumentSignature.document_id == document.id)).scalars()
        assert (signature.signer_name, signature.status) == (name, "valid")


def test_a_key_that_does_not_open_is_refused_and_nothing_is_stored(demo, agency_token, client):
    db.session.commit()
    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    unit = demo.units["TH-NV"]
    assert "Không tìm thấy khóa hoặc chứng thư số" in set_key(client, unit.id, TOKEN, "no-such-key").get_data(True)
    assert "không nhập cả hai" in set_key(client, unit.id, TOKEN, DEPARTMENT_KEY, "/tmp/x.p12").get_data(True)
    assert "PKCS#12" in set_key(client, unit.id, pkcs12="/nonexistent/unit.p12").get_data(True)
    assert db.session.execute(select(UnitSigningKey).where(UnitSigningKey.unit_id == unit.id)).first() is None


def test_removing_a_unit_key_stops_its_signature(demo, agency_token, client):
    db.session.commit()
    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    client.post(f"/admin/signing-keys/{demo.units['TH'].id}/remove",
                data={"csrf_token": csrf_token(client, "/admin/signing-keys")})
    document = issue(demo, "TH")
    assert document.signed_pdf_id is None and "chưa được gán khóa ký số" in document.sign_note


def test_an_administrator_of_another_unit_cannot_touch_a_unit_outside_theirs(demo, agency_token, client):
    commune_admin = make_user(role=Role.ADMIN, unit=demo.units["TH-ANPHUOC"])
    db.session.commit()
    sign_in(client, commune_admin, PASSWORD)
    page = client.get("/admin/signing-keys").get_data(as_text=True)
    assert "Ủy ban nhân dân xã An Phước" in page and "Sở Nội vụ" not in page  # only their own subtree
    assert set_key(client, demo.units["TH-NV"].id, TOKEN, DEPARTMENT_KEY).status_code == 404
    remove = client.post(f"/admin/signing-keys/{demo.units['TH'].id}/remove",
                         data={"csrf_token": csrf_token(client, "/admin/signing-keys")})
    assert remove.status_code == 404
    assert set_key(client, 2**40, TOKEN, DEPARTMENT_KEY).status_code == 404
    assert db.session.execute(select(func.count(UnitSigningKey.id))).scalar_one() == 1  # the fixture's, untouched
