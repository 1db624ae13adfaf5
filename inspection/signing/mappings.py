"""Whose keys and certificates are whose, as administrators say: each issuing unit's key
(UnitSigningKey) and the personal certificates mapped to a user whose name they do not carry
(PersonalCertificate). An administrator manages the units and the people of the subtrees of
their own administrator memberships; anything outside them is 404."""

from flask import current_app
from sqlalchemy import select

from models import Membership, OrgUnit, PersonalCertificate, UnitSigningKey, User, db, subtree_ids, utcnow
from models.enums import Role

from ..data.transaction import unit_of_work
from ..errors import NotFound, ValidationError
from ..language.i18n import N_
from ..security import audit, permissions
from . import certificates, keys

ONE_KIND = N_("Nhập nhãn khóa trên thiết bị PKCS#11, hoặc đường dẫn tệp PKCS#12, không nhập cả hai.")


def managed_units(actor):
    """A select of the unit ids `actor` administers (their administrator memberships' subtrees)."""
    roots = [m.unit_id for m in actor.memberships if m.role == Role.ADMIN]
    return subtree_ids(roots, "managed") if roots else select(OrgUnit.id).where(False)


def managed_unit_or_404(actor, unit_id) -> OrgUnit:
    unit = permissions.get_visible_or_404(OrgUnit, unit_id, actor)
    stmt = select(OrgUnit.id).where(OrgUnit.id == unit.id, OrgUnit.id.in_(managed_units(actor)))
    if db.session.execute(stmt).first() is None:
        raise NotFound()
    return unit


def managed_user_or_404(actor, user_id) -> User:
    user = permissions.get_visible_or_404(User, user_id, actor)
    stmt = select(Membership.id).where(Membership.user_id == user.id, Membership.unit_id.in_(managed_units(actor)))
    if db.session.execute(stmt).first() is None:
        raise NotFound()
    return user


def _read_key(token_label: str, key_label: str, pkcs12_path: str):
    """The certificate of the key a mapping names, opened now (a wrong label or file fails here)."""
    if bool(pkcs12_path) == bool(token_label or key_label):
        raise ValidationError(ONE_KIND, field="token_label")
    try:
        with keys.signer_for(token_label, key_label, pkcs12_path) as signer:
            return signer.signing_cert
    except keys.SigningUnavailable as exc:
        raise ValidationError(exc.message, field="token_label") from exc


def set_unit_key(actor, unit: OrgUnit, *, token_label: str = "", key_label: str = "",
                 pkcs12_path: str = "") -> UnitSigningKey:
    """Give `unit` its own key: the token and key labels, or a PKCS#12 file; checked by opening
    it. `actor` None: the demo's set-up (CLI)."""
    if actor is not None:
        permissions.require(actor, "trust.manage", unit)
    token_label, key_label, pkcs12_path = token_label.strip(), key_label.strip(), pkcs12_path.strip()
    cert = _read_key(token_label, key_label, pkcs12_path)
    row = keys.key_of(unit.id)
    before = _key_audit(row) if row else None
    with unit_of_work():
        if row is None:
            row = UnitSigningKey(unit_id=unit.id)
            db.session.add(row)
        row.token_label, row.key_label, row.pkcs12_path = token_label, key_label, pkcs12_path
        row.certificate_subject = cert.subject.human_friendly
        row.certificate_fingerprint = certificates.fingerprint(cert)
        row.cert_not_after, row.set_by_id = certificates.not_after(cert), getattr(actor, "id", None)
        db.session.flush()
        audit.record(actor, "unit_signing_key.set", "org_unit", unit.id, unit_id=unit.id, before=before,
                     after=_key_audit(row))
    return row


def _key_audit(row: UnitSigningKey) -> dict:
    return {"token": row.token_label, "key": row.key_label, "pkcs12": row.pkcs12_path,
            "certificate": row.certificate_subject, "fingerprint": row.certificate_fingerprint}


def remove_unit_key(actor, unit: OrgUnit) -> None:
    """The unit issues unsigned documents from now on (the register says why)."""
    permissions.require(actor, "trust.manage", unit)
    row = keys.key_of(unit.id)
    if row is None:
        raise ValidationError(N_("Đơn vị chưa có khóa ký số."), field="unit")
    with unit_of_work():
        audit.record(actor, "unit_signing_key.removed", "org_unit", unit.id, unit_id=unit.id, before=_key_audit(row))
        db.session.delete(row)


def map_certificate(actor, user: User, data: bytes) -> PersonalCertificate:
    """Approve the certificate in `data` (.cer, PEM or DER) as `user`'s."""
    permissions.require(actor, "trust.manage", user)
    try:
        cert = certificates.load(data)
    except certificates.BadCertificate as exc:
        raise ValidationError(str(exc), field="certificate") from exc
    if certificates.is_demo(cert) and current_app.config["PROFILE"] == "production":
        raise ValidationError(N_("Chứng thư số do CA thử nghiệm cấp: không dùng trong môi trường chính thức."),
                              field="certificate")
    fingerprint = certificates.fingerprint(cert)
    if fingerprint in mapped_fingerprints(user.id):
        raise ValidationError(N_("Chứng thư số này đã được gán cho người dùng."), field="certificate")
    with unit_of_work():
        row = PersonalCertificate(user_id=user.id, fingerprint=fingerprint, subject=cert.subject.human_friendly,
                                  issuer=cert.issuer.human_friendly, der=cert.dump(),
                                  not_after=certificates.not_after(cert), approved_by_id=getattr(actor, "id", None))
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "personal_certificate.mapped", "user", user.id,
                     after={"certificate": row.subject, "fingerprint": fingerprint, "mapping": row.id})
    return row


def revoke_certificate(actor, user: User, fingerprint: str) -> PersonalCertificate:
    """The certificate is no longer taken as the user's (unless its name matches theirs)."""
    permissions.require(actor, "trust.manage", user)
    row = db.session.execute(select(PersonalCertificate).where(
        PersonalCertificate.user_id == user.id, PersonalCertificate.fingerprint == fingerprint,
        PersonalCertificate.revoked_at.is_(None))).scalar()
    if row is None:
        raise ValidationError(N_("Không có ánh xạ chứng thư số này đang áp dụng."), field="fingerprint")
    with unit_of_work():
        row.revoked_at, row.revoked_by_id = utcnow(), getattr(actor, "id", None)
        audit.record(actor, "personal_certificate.revoked", "user", row.user_id,
                     before={"certificate": row.subject, "fingerprint": row.fingerprint, "mapping": row.id})
    return row


def mapped_fingerprints(user_id: int | None) -> set[str]:
    """The fingerprints of the certificates approved as the user's, not revoked."""
    if user_id is None:
        return set()
    stmt = select(PersonalCertificate.fingerprint).where(PersonalCertificate.user_id == user_id,
                                                         PersonalCertificate.revoked_at.is_(None))
    return set(db.session.execute(stmt).scalars())
