"""State changes of digital signatures: the agency's signature filed at issue (by the worker), a
person's signed file accepted (and the agency's signature added on top), trust anchors, the demo's keys."""

import io
import json
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from models import Attachment, Document, DocumentSignature, OrgUnit, TrustAnchor, User, db, utcnow

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..files import storage
from ..security import audit, permissions
from . import certificates, keys, mappings, pades, uploads, validation

AGENCY, PERSONAL = "agency", "personal"


def sign_as_agency(pdf: bytes, box: dict | None, unit_id: int | None, *, reason: str = "Ban hành văn bản",
                   seal_only: bool = False) -> tuple[bytes | None, str]:
    """`pdf` signed with the issuing unit's own key over its signature block, and "" ; (None, why)
    when the unit has no key: never another unit's."""
    row = keys.key_of(unit_id)
    if row is None:
        return None, keys.NO_UNIT_KEY
    config = current_app.config
    with keys.unit_signer(row) as signer:
        contact = certificates.email(signer.signing_cert) or config.get("SIGN_CONTACT", "")
        return pades.sign_pdf(pdf, signer, box or pades.default_box(), contact=contact,
                              tsa_url=config.get("SIGN_TSA_URL", ""), reason=reason, seal_only=seal_only), ""


def signed_filename(document: Document) -> str:
    number = document.number_text.replace("/", "-") or str(document.id)
    return f"{document.kind}-{number}-da-ky-so.pdf"


def file_signature(actor, document: Document, signed: bytes, role: str, check: validation.SignatureCheck,
                   *, signer_user_id: int | None = None) -> DocumentSignature:
    """Store `signed` as the document's latest signed file and record its last signature
    (`check`), inside the caller's unit of work."""
    attachment = storage.store(io.BytesIO(signed), signed_filename(document), kind="signed_pdf",
                               allowed={"application/pdf"}, unit_id=document.unit_id,
                               uploaded_by_id=getattr(actor, "id", None), limit=len(signed) + 1,
                               scan=role == PERSONAL)  # only what a user uploads goes to the malware scanner
    db.session.flush()
    row = DocumentSignature(document_id=document.id, role=role, signer_name=check.signer_name[:300],
                            signer_user_id=signer_user_id, certificate_subject=check.subject,
                            certificate_issuer=check.issuer, certificate_serial=check.serial[:80],
                            cert_not_before=check.not_before, cert_not_after=check.not_after,
                            signed_at=check.signed_at, status=check.status, anchor_name=check.anchor_name[:300],
                            checked_at=utcnow(), pdf_id=attachment.id, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(row)
    document.signed_pdf_id = attachment.id
    db.session.flush()
    audit.record(actor, f"document.signed_{role}", "document", document.id, unit_id=document.unit_id,
                 after={"signer": row.signer_name, "status": row.status, "anchor": row.anchor_name,
                        "sha256": attachment.sha256})
    return row


def file_agency_signature(document_id: int, box: dict | None, signed: bytes | None, note: str = "") -> None:
    """The worker's part at issue: where the signature block lies, and the agency-signed file
    (or why there is none)."""
    document = db.session.get(Document, document_id)
    document.sign_box = box
    if signed is None:
        document.sign_note = note[:300]
    elif document.signed_pdf_id is None:
        document.sign_note = ""
        file_signature(None, document, signed, AGENCY, validation.check_pdf(signed)[-1])


def install_anchor(actor, data: bytes) -> TrustAnchor:
    """Trust a CA certificate (PEM or DER); the same certificate twice is one anchor. The
    production profile refuses the demo CA. `actor` None: the demo's set-up (CLI)."""
    if actor is not None:
        permissions.require(actor, "trust.manage")
    try:
        cert = certificates.load(data)
    except certificates.BadCertificate as exc:
        raise ValidationError(str(exc), field="certificate") from exc
    is_demo = certificates.is_demo(cert)
    if is_demo and current_app.config["PROFILE"] == "production":
        raise ValidationError("Không cài CA thử nghiệm trong môi trường chính thức.", field="certificate")
    fingerprint = certificates.fingerprint(cert)
    existing = db.session.execute(select(TrustAnchor).where(TrustAnchor.fingerprint == fingerprint)).scalar()
    if existing is not None:
        return existing
    with unit_of_work():
        anchor = TrustAnchor(name=cert.subject.human_friendly[:300], fingerprint=fingerprint, der=cert.dump(),
                             is_demo=is_demo, not_after=certificates.not_after(cert),
                             installed_by_id=getattr(actor, "id", None))
        db.session.add(anchor)
        db.session.flush()
        audit.record(actor, "trust_anchor.installed", "trust_anchor", anchor.id,
                     after={"name": anchor.name, "fingerprint": fingerprint})
    return anchor


def set_up_demo_signing(instance_dir: str) -> bool:
    """The demo's keys: the demo CA as a trust anchor, the demo leader's PKCS#12 and, in a
    SoftHSM2 token under instance/signing, a key for each demo issuing unit there is, its
    certificate naming the unit, mapped to it. False when they were all there already."""
    from . import demo  # here: the demo CA and token are made in the demo profile only

    if current_app.config["PROFILE"] != "demo":
        raise ValidationError("Khóa ký số thử nghiệm chỉ dùng trong bản dùng thử (demo).")
    directory = Path(instance_dir) / "signing"
    created = not (directory / "demo-ca-key.pem").is_file()
    if created:
        demo.setup_demo(directory, demo.DEMO_LEADER)
    install_anchor(None, (directory / "demo-ca.pem").read_bytes())
    if not current_app.config.get("SIGN_PKCS11_MODULE"):  # the app started before demo.json existed
        settings = json.loads((directory / "demo.json").read_text())
        current_app.config.update({f"SIGN_{k}": v for k, v in settings.items()})
    units = db.session.execute(select(OrgUnit).where(OrgUnit.code.in_(demo.DEMO_SIGNING_UNITS))).scalars()
    for unit in units:
        if keys.key_of(unit.id) is None:
            label = unit.code.lower()
            demo.demo_unit_key(directory, label, unit.name, f"vanthu.{label}@cchc.demo")
            mappings.set_unit_key(None, unit, token_label=demo.DEMO_TOKEN, key_label=label)
            created = True
    return created


def _read_upload(stream: BinaryIO) -> bytes:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB).", field="signed")
    return data


def accept_personal_signature(actor, document: Document, stream: BinaryIO) -> DocumentSignature:
    """File the issued document as signed by the person in its signature block (with their own
    token), once every check passes, then the agency's signature on top (an incremental update:
    both stay valid). A refusal stores nothing."""
    permissions.require(actor, "document.issue", document)
    if document.status != "issued" or document.pdf_id is None:
        raise ValidationError("Văn bản chưa có bản PDF chính thức để ký.", field="signed")
    with storage.open_attachment(db.session.get(Attachment, document.pdf_id)) as source:
        original = source.read()
    data = _read_upload(stream)
    signer_name = (document.snapshot or {}).get("signature", {}).get("name", "")
    signer = _block_signer(document, signer_name)
    check = uploads.review(original, data, signer_name, mappings.mapped_fingerprints(getattr(signer, "id", None)))
    on_top, note = _sign_on_top(document, data, check.field)
    with unit_of_work():
        row = file_signature(actor, document, data, PERSONAL, check, signer_user_id=_signer_id(document, check))
        document.sign_note = note[:300]
        if on_top is not None:
            file_signature(actor, document, on_top, AGENCY, validation.check_pdf(on_top)[-1])
    return row


def _sign_on_top(document: Document, data: bytes, field: str) -> tuple[bytes | None, str]:
    """The issuing unit's signature over the person's: its seal over the left third of the
    person's visible signature (Phụ lục I), or the full appearance over the block when it is invisible."""
    widget = uploads.widget_box(data, field)
    reason = "Cơ quan ban hành ký số trên văn bản đã ký"
    if widget is None:
        return sign_as_agency(data, document.sign_box, document.unit_id, reason=reason)
    seal = pades.seal_box(widget, document.sign_box)
    return sign_as_agency(data, seal, document.unit_id, reason=reason, seal_only=True)


def _block_signer(document: Document, signer_name: str) -> User | None:
    """The user named in the signature block: the one who issued the document (a signing role's
    name is frozen into the block at issue)."""
    issuer = db.session.get(User, document.issued_by_id) if document.issued_by_id else None
    return issuer if issuer is not None and uploads.same_person(issuer.full_name, signer_name) else None


def _signer_id(document: Document, check: validation.SignatureCheck) -> int | None:
    """The user who signed: the one who issued the document, by the certificate's name or mapping."""
    issuer = db.session.get(User, document.issued_by_id) if document.issued_by_id else None
    if issuer is None:
        return None
    named = uploads.same_person(issuer.full_name, check.signer_name)
    return issuer.id if named or check.fingerprint in mappings.mapped_fingerprints(issuer.id) else None


def remove_anchor(actor, fingerprint: str) -> TrustAnchor:
    """Stop trusting an anchor: signatures chained only to it show as untrusted from now on."""
    permissions.require(actor, "trust.manage")
    anchor = db.session.execute(select(TrustAnchor).where(TrustAnchor.fingerprint == fingerprint)).scalar()
    if anchor is None:
        raise ValidationError("Không có gốc tin cậy này.", field="fingerprint")
    with unit_of_work():
        audit.record(actor, "trust_anchor.removed", "trust_anchor", anchor.id,
                     before={"name": anchor.name, "fingerprint": anchor.fingerprint})
        db.session.delete(anchor)
    return anchor


def _check_stored(attachment_id: int) -> validation.SignatureCheck | None:
    """The last signature of a stored file, checked now (None: no longer a readable signed PDF)."""
    with storage.open_attachment(db.session.get(Attachment, attachment_id)) as source:
        data = source.read()
    try:
        checks = validation.check_pdf(data)
    except validation.UnreadablePdf:
        return None
    return checks[-1] if checks else None


def recheck_signatures(actor, document: Document) -> list[DocumentSignature]:
    """Check each signature of the document again, now, against today's anchors: a certificate
    that expired or an anchor removed since is shown, not hidden."""
    permissions.require(actor, "document.view", document)
    rows = list(db.session.execute(select(DocumentSignature).where(
        DocumentSignature.document_id == document.id).order_by(DocumentSignature.id)).scalars())
    with unit_of_work():
        for row in rows:
            check = _check_stored(row.pdf_id)
            row.status, row.checked_at = check.status if check else validation.INVALID, utcnow()
            row.anchor_name = check.anchor_name[:300] if check else ""
        audit.record(actor, "document.signatures_checked", "document", document.id, unit_id=document.unit_id,
                     after={"statuses": [row.status for row in rows]})
    return rows
