"""The public verification of an issued document (Tra cứu văn bản): its short code, printed with
a QR code on the first page, and the check of a copy someone holds — byte-identical to a file the
office issued, or validly signed over the same issued bytes. Reveals nothing of a document that is
not issued, nor of a surprise inspection before it starts."""

import hashlib
import io
import secrets

import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from models import Attachment, Document, DocumentSignature, Inspection, db

from ..files import storage
from ..language.i18n import N_
from . import uploads, validation

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
IDENTICAL = N_("Tệp trùng khớp từng byte với văn bản đã ban hành.")
SIGNED_SAME = N_("Tệp có chữ ký số hợp lệ trên đúng nội dung văn bản đã ban hành.")
DIFFERENT = N_("Tệp không khớp với văn bản đã ban hành (đã bị sửa, hoặc là văn bản khác).")
HIDDEN_STATUSES = ("planned", "announced", "cancelled")


def new_code() -> str:
    """Ten characters in two groups, 'K7QM2-XP4RT' (50 bits: not guessable by trying)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def url_for_code(code: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    return f"{base}/tra-cuu/{code}"


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (the PDF's footer draws it; nothing is fetched)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, nl=False, scale=1, omitsize=True, border=2,
                                    dark="#000", light="#fff")
    return Markup(out.getvalue().decode())


def public_document(code: str) -> Document | None:
    """The issued document with this code, unless it is about a surprise inspection not yet started."""
    document = db.session.execute(select(Document).where(Document.verify_code == code.strip().upper(),
                                                         Document.status == "issued")).scalar()
    if document is None:
        return None
    if document.subject_type == "inspection":
        inspection = db.session.get(Inspection, document.subject_id)
        if inspection is None or (inspection.kind == "surprise" and inspection.status in HIDDEN_STATUSES):
            return None
    return document


def _stored(attachment_id: int) -> bytes:
    with storage.open_attachment(db.session.get(Attachment, attachment_id)) as source:
        return source.read()


def _issued_digests(document: Document) -> set[str]:
    ids = {document.pdf_id, document.signed_pdf_id} | set(db.session.execute(
        select(DocumentSignature.pdf_id).where(DocumentSignature.document_id == document.id)).scalars())
    rows = db.session.execute(select(Attachment.sha256).where(Attachment.id.in_(ids - {None}))).scalars()
    return set(rows)


def check_copy(document: Document, data: bytes) -> tuple[bool, str]:
    """(matches, message) for a copy someone holds; nothing is stored."""
    if hashlib.sha256(data).hexdigest() in _issued_digests(document):
        return True, IDENTICAL
    if document.pdf_id is None:
        return False, DIFFERENT
    try:
        check = uploads.signed_copy_of(_stored(document.pdf_id), data)
    except validation.UnreadablePdf:
        return False, validation.UNREADABLE
    return (True, SIGNED_SAME) if check is not None else (False, DIFFERENT)
