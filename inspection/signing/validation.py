"""Checking a signed PDF (pyHanko): each signature's integrity, what it covers, its certificate's
chain to one of the installed trust anchors and validity. Nothing is fetched from the network
(no OCSP or CRL is reachable from a government intranet: revocation is soft-fail)."""

import io
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from models import TrustAnchor, db, utcnow

from ..language.i18n import N_
from . import certificates, pades

VALID, INVALID, UNTRUSTED, EXPIRED = "valid", "invalid", "untrusted", "expired"
STATUS_LABELS = {VALID: N_("Hợp lệ"), INVALID: N_("Không hợp lệ"), UNTRUSTED: N_("Không tin cậy (chưa có gốc tin cậy)"),
                 EXPIRED: N_("Chứng thư số đã hết hạn")}
UNREADABLE = N_("Tệp không phải PDF đọc được.")


class UnreadablePdf(ValueError):
    """Not a PDF pyHanko can read."""


@dataclass
class SignatureCheck:
    """One signature of a file, as checked now."""

    field: str
    status: str
    intact: bool  # the signed bytes are unchanged
    whole_file: bool  # the signature covers the whole file (it is the last change)
    later_changes_ok: bool  # what was added after it only signs or fills forms
    signer_name: str
    subject: str
    issuer: str
    serial: str
    not_before: datetime | None
    not_after: datetime | None
    signed_at: datetime | None
    anchor_name: str
    signed_revision_end: int  # the byte length of the file as it was signed
    fingerprint: str = ""  # sha256 of the signer's certificate


def trust_roots() -> list:
    """The installed trust anchors (in the production profile, never the demo CA)."""
    rows = db.session.execute(select(TrustAnchor).order_by(TrustAnchor.id)).scalars()
    production = current_app.config["PROFILE"] == "production"
    return [certificates.load(row.der) for row in rows if not (production and row.is_demo)]


def _status(st, cert, now: datetime) -> str:
    if not (st.intact and st.valid):
        return INVALID
    if certificates.not_after(cert) < now or certificates.not_before(cert) > now:
        return EXPIRED
    return VALID if st.trusted else UNTRUSTED


def _check(embedded, context: ValidationContext, now: datetime) -> SignatureCheck:
    st = pades.without_event_loop(validate_pdf_signature, embedded, context)
    cert = st.signing_cert
    anchor = st.validation_path[0] if st.trusted and st.validation_path is not None else None
    return SignatureCheck(
        field=embedded.field_name, status=_status(st, cert, now), intact=bool(st.intact),
        whole_file=st.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        later_changes_ok=st.coverage == SignatureCoverageLevel.ENTIRE_FILE or bool(st.docmdp_ok),
        signer_name=certificates.common_name(cert), subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly, serial=format(cert.serial_number, "x"),
        not_before=certificates.not_before(cert), not_after=certificates.not_after(cert),
        signed_at=st.signer_reported_dt, anchor_name=anchor.subject.human_friendly if anchor else "",
        signed_revision_end=int(embedded.byte_range[2]) + int(embedded.byte_range[3]),
        fingerprint=certificates.fingerprint(cert))


def check_pdf(data: bytes) -> list[SignatureCheck]:
    """Every signature of the file, oldest first ([] when it carries none)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:
        raise UnreadablePdf(UNREADABLE) from exc
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    now = utcnow()
    return [_check(sig, context, now) for sig in signatures]
