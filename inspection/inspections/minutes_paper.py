"""The paper route of the minutes (biên bản kiểm tra): where the two sides sign a paper copy
instead of the tablet, the team lead prints a clean numbered copy on site — the minutes become
final at that moment (numbered, no DỰ THẢO), as when both sides sign on the tablet — and uploads
the scan of the signed copy, which is kept with the minutes' document."""

from typing import BinaryIO

from models import Document, Inspection

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..reports.queries import issued_document
from ..reports.services import file_scan, issue_signed
from ..security import audit, permissions
from . import minutes

SCAN_TYPES = {"application/pdf", "image/jpeg"}  # a scanner's PDF or a phone's photo of the signed copy


def minutes_document(inspection: Inspection) -> Document | None:
    """The issued minutes (numbered, final), by either route; None while they are a draft."""
    return issued_document("minutes", inspection)


def print_minutes_on_paper(actor, inspection: Inspection) -> Document:
    """"In bản giấy để ký": the closed minutes issued now (the next number of the team, today's
    minutes final) for the two sides to sign on paper; printing again gives the same copy. Refused
    before the minutes are closed, and once a side has signed on the tablet (the tablet route)."""
    permissions.require(actor, "inspection.lead", inspection)
    if inspection.status not in minutes.SIGNABLE:
        raise InvalidTransition("Biên bản chưa được lập: lập biên bản trước khi in bản giấy để ký.")
    if (found := minutes_document(inspection)) is not None:
        return found
    if minutes.signatures(inspection):
        raise ValidationError("Đã có chữ ký trên máy tính bảng cho biên bản này: bên còn lại ký trên máy tính "
                              "bảng để hoàn tất, không in bản giấy.")
    with unit_of_work():
        document = issue_signed(actor, "minutes", inspection)
        audit.record(actor, "inspection.minutes_printed", "inspection", inspection.id, unit_id=inspection.unit_id,
                     after={"document": document.id, "number": document.number_text})
    return document


def attach_minutes_scan(actor, inspection: Inspection, stream: BinaryIO, filename: str) -> Document:
    """The scan of the paper copy both sides signed (PDF or JPEG), kept with the minutes'
    document (a later one replaces it); refused, it stores nothing."""
    permissions.require(actor, "inspection.lead", inspection)
    document = minutes_document(inspection)
    if document is None:
        raise InvalidTransition("Biên bản chưa có số: bấm “In bản giấy để ký” trước, rồi tải lên bản chụp "
                                "bản đã ký.")
    try:
        return file_scan(actor, document, stream, filename, allowed=SCAN_TYPES)
    except ValidationError as exc:
        if exc.field:
            raise
        raise ValidationError(exc.message, field="scan") from exc
