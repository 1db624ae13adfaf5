"""A leader's certificate that does not carry their name as the signature block writes it (a
CA's name without diacritics) is refused until an administrator maps it to them (uploading the
.cer, audited), then accepted; once revoked, refused again. An administrator of another unit
cannot map a user outside their units (404)."""

import io

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.signing import demo as pki_demo
from models import AuditEvent, PersonalCertificate, db
from models.enums import Role
from tests.factories import PASSWORD, csrf_token, make_user, sign_in
from tests.reports.support import Demo, stored_bytes

from .desktop_tool import sign_with_p12
from .test_agency import issue_conclusion
from .test_personal import upload

NO_DIACRITICS = "NGUYEN VAN HOA"  # how many CAs write Nguyễn Văn Hòa
PAGE = "/admin/personal-certificates"


@pytest.fixture
def demo(ctx) -> Demo:
    return Demo()


def certificate_of(p12: bytes) -> bytes:
    return pkcs12.load_key_and_certificates(p12, b"pw")[1].public_bytes(Encoding.DER)


def map_certificate(client, user_id, cer: bytes):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "user": str(user_id),
                                   "certificate": (io.BytesIO(cer), "hoa.cer")},
                       content_type="multipart/form-data", follow_redirects=True)


def revoke(client, row: PersonalCertificate):
    return client.post(f"/admin/users/{row.user_id}/certificates/{row.fingerprint}/revoke",
                       data={"csrf_token": csrf_token(client, PAGE)})


def switch(client, user, password=DEMO_PASSWORD):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, user, password)


def test_a_certificate_in_another_name_is_accepted_once_an_administrator_maps_it(demo, agency_token, client):
    document = issue_conclusion(demo)
    db.session.commit()
    p12 = pki_demo.personal_pkcs12(agency_token.ca, NO_DIACRITICS, "pw")
    signed = sign_with_p12(stored_bytes(document.pdf_id), p12, "pw")
    refused = upload(client, demo, document, signed)
    assert "Chứng thư số không phải của người ký văn bản" in client.get(refused.headers["Location"]).get_data(True)

    switch(client, demo.user("admin"))
    page = map_certificate(client, demo.user("leader").id, certificate_of(p12)).get_data(as_text=True)
    assert "Đã gán chứng thư số" in page and NO_DIACRITICS in page and "Đang áp dụng" in page
    [row] = db.session.execute(select(PersonalCertificate)).scalars()
    stmt = select(AuditEvent).where(AuditEvent.action == "personal_certificate.mapped")
    event = db.session.execute(stmt).scalar_one()
    assert (event.actor_id, event.target_id) == (demo.user("admin").id, str(demo.user("leader").id))

    switch(client, demo.user("leader"))
    accepted = upload(client, demo, document, signed, signed_in=True)
    assert "có chữ ký số của người ký" in client.get(accepted.headers["Location"]).get_data(True)
    register = client.get("/documents").get_data(as_text=True)
    assert "Đã ký số" in register and NO_DIACRITICS in register

    switch(client, demo.user("admin"))
    revoke(client, row)
    db.session.refresh(row)
    assert row.revoked_at is not None and row.revoked_by_id == demo.user("admin").id
    assert "Đã thu hồi" in client.get(PAGE).get_data(as_text=True)


def test_a_revoked_mapping_no_longer_vouches(demo, agency_token, client):
    document = issue_conclusion(demo)
    p12 = pki_demo.personal_pkcs12(agency_token.ca, NO_DIACRITICS, "pw")
    db.session.commit()
    sign_in(client, demo.user("admin"), DEMO_PASSWORD)
    map_certificate(client, demo.user("leader").id, certificate_of(p12))
    row = db.session.execute(select(PersonalCertificate)).scalar_one()
    revoke(client, row)
    switch(client, demo.user("leader"))
    refused = upload(client, demo, document, sign_with_p12(stored_bytes(document.pdf_id), p12, "pw"), signed_in=True)
    assert "Chứng thư số không phải của người ký văn bản" in client.get(refused.headers["Location"]).get_data(True)


def test_an_administrator_of_another_unit_cannot_map_a_user_outside_their_units(demo, agency_token, client):
    commune_admin = make_user(role=Role.ADMIN, unit=demo.units["TH-ANPHUOC"])
    mapping = PersonalCertificate(user_id=demo.user("leader").id, fingerprint="f" * 64, der=b"x")
    db.session.add(mapping)
    db.session.commit()
    sign_in(client, commune_admin, PASSWORD)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đặng Văn Lợi" in page and "Nguyễn Văn Hòa" not in page  # the commune's people only
    cer = certificate_of(pki_demo.personal_pkcs12(agency_token.ca, NO_DIACRITICS, "pw"))
    assert map_certificate(client, demo.user("leader").id, cer).status_code == 404
    assert map_certificate(client, 2**40, cer).status_code == 404
    assert revoke(client, mapping).status_code == 404
    assert map_certificate(client, demo.user("head").id, b"not a certificate").status_code == 200
    assert db.session.execute(select(PersonalCertificate.id)).scalars().all() == [mapping.id]  # nothing stored
    db.session.refresh(mapping)
    assert mapping.revoked_at is None
