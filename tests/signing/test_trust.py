"""Trust anchors: an administrator installs and removes them on their page; validation names the
anchor a signature chained to; once removed, a re-check shows the signature as untrusted (in the
register too) instead of hiding it; the production profile refuses the demo CA."""

import io

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.errors import ValidationError
from inspection.signing import demo as pki_demo
from inspection.signing.mappings import map_certificate
from inspection.signing.services import set_up_demo_signing
from inspection.signing.validation import check_pdf
from models import DocumentSignature, TrustAnchor, db
from tests.factories import csrf_token, sign_in
from tests.reports.support import Demo, stored_bytes

from .test_agency import issue_conclusion


@pytest.fixture
def demo(ctx) -> Demo:
    return Demo()


def post_anchor(client, data: bytes, name="ca.pem"):
    return client.post("/admin/trust-anchors", data={
        "csrf_token": csrf_token(client, "/admin/trust-anchors"), "certificate": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def test_an_administrator_installs_and_removes_an_anchor_and_a_recheck_shows_it(demo, client, pki, agency_token):
    document = issue_conclusion(demo)
    db.session.commit()
    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    page = client.get("/admin/trust-anchors").get_data(as_text=True)
    assert pki_demo.DEMO_CA_NAME in page and "Thử nghiệm" in page  # installed by the fixture, marked demo
    other = pki_demo.make_ca("CA Chuyên dùng Chính phủ (thử)")
    assert "Đã cài gốc tin cậy" in post_anchor(client, other.pem()).get_data(as_text=True)
    assert "Tệp không phải chứng thư số" in post_anchor(client, b"not a certificate").get_data(as_text=True)
    anchor = db.session.execute(select(TrustAnchor).where(TrustAnchor.is_demo)).scalar_one()
    removed = client.post("/admin/trust-anchors/remove", data={
        "csrf_token": csrf_token(client, "/admin/trust-anchors"), "fingerprint": anchor.fingerprint},
        follow_redirects=True).get_data(as_text=True)
    assert "Đã gỡ gốc tin cậy" in removed
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    assert "Đã ký số" in client.get("/documents").get_data(as_text=True)  # as checked at issue
    client.post(f"/documents/{document.id}/signature/recheck", data={"csrf_token": csrf_token(client, "/documents")})
    [row] = db.session.execute(select(DocumentSignature).where(DocumentSignature.document_id == document.id)).scalars()
    db.session.refresh(row)
    assert (row.status, row.anchor_name) == ("untrusted", "")
    register = client.get("/documents").get_data(as_text=True)
    assert "Không tin cậy (chưa có gốc tin cậy)" in register


def test_only_an_administrator_manages_anchors(demo, client):
    db.session.commit()
    sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    assert client.get("/admin/trust-anchors").status_code == 403


def test_the_production_profile_refuses_the_demo_ca_as_an_anchor(demo, client, pki, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROFILE", "production")
    db.session.commit()
    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    page = post_anchor(client, pki.ca.pem()).get_data(as_text=True)
    assert "Không cài CA thử nghiệm trong môi trường chính thức" in page
    assert db.session.execute(select(TrustAnchor)).first() is None


def test_the_production_profile_ignores_a_demo_anchor_and_refuses_the_demo_elsewhere(demo, client, pki, agency_token,
                                                                                       app, monkeypatch, tmp_path):
    """A demo CA installed before the switch to production trusts nothing; a demo personal
    certificate cannot be mapped; `flask signing-demo` refuses to run."""
    signed = stored_bytes(issue_conclusion(demo).signed_pdf_id)
    assert check_pdf(signed)[-1].status == "valid"  # the test CA is marked as the demo CA
    monkeypatch.setitem(app.config, "PROFILE", "production")
    assert check_pdf(signed)[-1].status == "untrusted"
    cer = pki.ca.cert.public_bytes(Encoding.DER)  # a certificate the demo CA's name marks
    with pytest.raises(ValidationError, match="CA thử nghiệm"):
        map_certificate(demo.user("admin"), demo.user("leader"), cer)
    with pytest.raises(ValidationError, match="chỉ dùng trong bản dùng thử"):
        set_up_demo_signing(str(tmp_path))
    assert not (tmp_path / "signing").exists()
