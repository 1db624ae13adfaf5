"""Digital signatures (chữ ký số) of issued documents and the trust anchors they are checked against."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import TimestampMixin, UTCDateTime, db


class TrustAnchor(TimestampMixin, db.Model):
    """A root or intermediate CA certificate an administrator trusts (the VGCA root, a licensed
    commercial CA, the demo CA). Validation reports which one a signature chained to; a demo
    anchor is never trusted in the production profile."""

    __tablename__ = "trust_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))  # the certificate's subject, readable
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the DER
    der: Mapped[bytes] = mapped_column(LargeBinary)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DocumentSignature(TimestampMixin, db.Model):
    """One digital signature on an issued document: the agency's (the server's key, at issue or
    on top of a personal one) or a person's (a signed file uploaded and validated). `pdf_id` is
    the file as it stood after this signature; status is valid / invalid / untrusted / expired as
    last checked."""

    __tablename__ = "document_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # agency | personal
    signer_name: Mapped[str] = mapped_column(String(300))  # the certificate's subject common name
    signer_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    certificate_subject: Mapped[str] = mapped_column(Text, default="")
    certificate_issuer: Mapped[str] = mapped_column(Text, default="")
    certificate_serial: Mapped[str] = mapped_column(String(80), default="")
    cert_not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cert_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # valid | invalid | untrusted | expired
    anchor_name: Mapped[str] = mapped_column(String(300), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf_id: Mapped[int] = mapped_column(ForeignKey("attachment.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class UnitSigningKey(TimestampMixin, db.Model):
    """The issuing unit's own key (chữ ký số của cơ quan): a key in the PKCS#11 token of the
    settings (token label, key and certificate label) or a PKCS#12 file. A unit without one
    issues unsigned documents; no other unit's key stands in. The certificate read when an
    administrator set it is kept to show whose name it carries."""

    __tablename__ = "unit_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    token_label: Mapped[str] = mapped_column(String(100), default="")
    key_label: Mapped[str] = mapped_column(String(100), default="")
    pkcs12_path: Mapped[str] = mapped_column(String(500), default="")
    certificate_subject: Mapped[str] = mapped_column(Text, default="")
    certificate_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    cert_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class PersonalCertificate(TimestampMixin, db.Model):
    """An administrator's word that a certificate is this user's although its name differs from
    theirs (a name without diacritics, a maiden name): uploaded as the .cer, revocable; a revoked
    mapping keeps its row (who revoked it, when)."""

    __tablename__ = "personal_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the DER
    subject: Mapped[str] = mapped_column(Text, default="")
    issuer: Mapped[str] = mapped_column(Text, default="")
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
