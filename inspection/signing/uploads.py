"""Checking a file a person signed with their own token (or their CA's desktop tool) against the
document the office issued: a valid signature over the whole file, over exactly the issued bytes
(the original revision unchanged, nothing added to it but the signature), by a trusted and
unexpired certificate of the person in the signature block."""

import io
import unicodedata

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from ..errors import ValidationError
from ..language.i18n import N_
from . import validation

INVALID = N_("Chữ ký không hợp lệ.")
TAMPERED = N_("Tệp đã bị sửa sau khi ký.")
NOT_THE_SIGNER = N_("Chứng thư số không phải của người ký văn bản.")
EXPIRED = N_("Chứng thư số đã hết hạn.")
UNTRUSTED = N_("Chứng thư số không được tin cậy: không chuỗi nào dẫn tới một gốc tin cậy đã cài đặt "
               "(quản trị viên cài chứng thư gốc của CA tại trang Gốc tin cậy).")
UNSIGNED = N_("Tệp chưa được ký số.")
NOT_ISSUED = N_("Tệp không phải văn bản đã ban hành: nội dung khác bản chính thức.")


def same_person(a: str, b: str) -> bool:
    """Names compared as people write them: NFC, case and spacing aside."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())
    return bool(a.strip()) and norm(a) == norm(b)


def _revisions(data: bytes) -> int:
    return PdfFileReader(io.BytesIO(data), strict=False).xrefs.total_revisions


# what a signature may change in an object the issued file already had: a page gains annotations
# (the signature's widget), the catalog gains the form (AcroForm) and its permissions
MAY_CHANGE = {"/Page": {"/Annots"}, "/Catalog": {"/AcroForm", "/Perms", "/DSS", "/Extensions"}}


def _raw(dictionary, key):
    """The value as stored (a reference stays a reference), None when absent."""
    return dictionary.raw_get(key) if key in dictionary else None


def _harmless(before, after) -> bool:
    if isinstance(before, generic.ArrayObject) and isinstance(after, generic.ArrayObject):
        return list(after[:len(before)]) == list(before)  # an annotation list that only grew
    if isinstance(before, generic.StreamObject) or not isinstance(before, generic.DictionaryObject) \
            or not isinstance(after, generic.DictionaryObject):
        return False
    allowed = MAY_CHANGE.get(before.get("/Type"))
    if allowed is None:
        return False
    return all(_raw(before, k) == _raw(after, k) for k in (set(before) | set(after)) - allowed)


def _only_signed_since(original: bytes, data: bytes) -> bool:
    """What the file adds to the issued bytes only signs: new objects (the signature, its field
    and appearance), annotations on pages, the form in the catalog, the document information."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    base = _revisions(original) - 1
    old = reader.get_historical_resolver(base)
    metadata = {_raw(old.trailer_view, "/Info"), _raw(old.root, "/Metadata")} - {None}
    for revision in range(base + 1, reader.xrefs.total_revisions):
        new = reader.get_historical_resolver(revision)
        if new.refs_freed_in_revision():
            return False
        for ref in new.explicit_refs_in_revision():
            if reader.xrefs.get_introducing_revision(ref) > base or generic.IndirectObject(
                    ref.idnum, ref.generation, reader) in metadata:
                continue
            if not _harmless(old.get_object(ref), new.get_object(ref)):
                return False
    return True


def _signature_over(original: bytes, data: bytes) -> validation.SignatureCheck:
    """The file's signature over the issued document, every check applied; ValidationError else."""
    checks = validation.check_pdf(data)
    if not checks:
        raise ValidationError(UNSIGNED, field="signed")
    check = checks[-1]
    if not check.intact or not check.whole_file:
        raise ValidationError(TAMPERED, field="signed")
    if check.status == validation.INVALID:
        raise ValidationError(INVALID, field="signed")
    if not data.startswith(original) or check.signed_revision_end <= len(original) \
            or not _only_signed_since(original, data):
        raise ValidationError(NOT_ISSUED, field="signed")
    return check


def signed_copy_of(original: bytes, data: bytes) -> validation.SignatureCheck | None:
    """The valid, trusted signature of `data` over exactly the issued bytes, whoever signed; None
    when there is none (validation.UnreadablePdf when it is not a PDF)."""
    try:
        check = _signature_over(original, data)
    except ValidationError:
        return None
    return check if check.status == validation.VALID else None


def widget_box(data: bytes, field: str) -> dict | None:
    """Where the visible part of signature `field` lies (page, top-left corner, size, in points)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    for number in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(number)[0].get_object()
        for annot in page.get("/Annots", ()):
            widget = annot.get_object()
            name = widget.get("/T") or widget.get("/Parent", {}).get("/T")
            if name == field and "/Rect" in widget:
                x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
                if x2 - x1 > 1 and y2 - y1 > 1:
                    return {"page": number, "x": min(x1, x2), "y": max(y1, y2), "width": abs(x2 - x1),
                            "height": abs(y2 - y1)}
    return None


def review(original: bytes, data: bytes, signer_name: str, mapped: set[str] = frozenset()) -> validation.SignatureCheck:
    """The checked signature of `data`, a signed copy of `original` by `signer_name`: their name
    in the certificate, or a certificate an administrator mapped to them (`mapped` fingerprints)."""
    try:
        check = _signature_over(original, data)
    except validation.UnreadablePdf as exc:
        raise ValidationError(str(exc), field="signed") from exc
    if check.status == validation.EXPIRED:
        raise ValidationError(EXPIRED, field="signed")
    if check.status == validation.UNTRUSTED:
        raise ValidationError(UNTRUSTED, field="signed")
    if not same_person(check.signer_name, signer_name) and check.fingerprint not in mapped:
        raise ValidationError(NOT_THE_SIGNER, field="signed")
    return check
