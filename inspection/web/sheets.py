"""Spreadsheets shared by every feature: the one reader of an uploaded .xlsx table, with its raw
cell values (dates stay dates), the one preview step of every import (the file kept only when
every row is right), and neutralising text before it is written to an .xlsx.

The size is capped before anything parses the file; the file must be a real OOXML zip whose
unpacked size is bounded; openpyxl reads it read-only and values-only (it uses defusedxml, which
is installed, for every XML part). On top of that this module refuses merged cells, tells an XML
bomb from a broken file, and keeps each cell's type so callers can tell a real date from a serial
number or a text."""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from defusedxml.common import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.xml.functions import iterparse

from models import db

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..files import storage
from ..language.i18n import N_
from ..language.text import fold, nfc

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_TYPES = {XLSX_MIME, "application/zip"}  # what content sniffing calls an .xlsx
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
PREVIEW_LOST = N_("Không còn bản xem trước của tệp: hãy tải tệp lên lại.")  # a confirm without its preview
_REQUIRED_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}
_BROKEN = N_("Không đọc được tệp Excel (tệp hỏng hoặc không đúng định dạng .xlsx).")
_UNSAFE = N_("Tệp Excel chứa khai báo XML không an toàn (thực thể XML, có thể là “bom XML”) nên bị từ chối. "
             "Hãy mở tệp bằng Excel, lưu lại thành .xlsx rồi tải lên lại.")


@dataclass
class Preview:
    """An upload's rows, each checked by its feature; `attachment_id` the file kept for the confirm
    step (None while any row has an error)."""

    rows: list
    attachment_id: int | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def preview_upload(rows: list, data: bytes, filename: str, *, kind: str, unit_id: int | None,
                   uploaded_by_id: int) -> Preview:
    """The preview step of every .xlsx import: `rows` checked by the caller; the file stored (an
    Attachment of `kind` in `unit_id`, for the confirm step) only when no row has an error."""
    preview = Preview(rows)
    if not preview.error_count:
        with unit_of_work():
            attachment = storage.store(io.BytesIO(data), filename, kind=kind, allowed=XLSX_TYPES, unit_id=unit_id,
                                       uploaded_by_id=uploaded_by_id)
            db.session.flush()
        preview.attachment_id = attachment.id
    return preview


@dataclass
class SheetRow:
    """One data row: `number` is the row number the user sees in Excel; `values` the cells by
    column key (from read_table: str NFC-normalised, int, float, datetime or None); `errors` what
    the feature's checks found wrong in it."""

    number: int
    values: dict
    errors: list[str] = field(default_factory=list)


def read_capped(stream, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """At most `limit` bytes of `stream`; ValidationError when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"Tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).", field="file")
    if not data:
        raise ValidationError("Tệp rỗng (0 byte).", field="file")
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse anything that is not an Excel workbook zip of bounded unpacked size."""
    message = "Tệp không phải bảng tính Excel .xlsx hợp lệ (kiểm tra theo nội dung tệp)."
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(message, field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationError(message, field="file") from exc
    if not _REQUIRED_PARTS <= {i.filename for i in infos}:
        raise ValidationError(message, field="file")
    if len(infos) > 2000 or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ValidationError("Tệp Excel quá lớn khi giải nén.", field="file")


def read_table(data: bytes, columns: list[tuple[str, str]], *, max_rows: int,
               optional: frozenset[str] = frozenset()) -> list[SheetRow]:
    """The non-empty rows under the header row of the first sheet; ValidationError for a file
    that is not a real workbook, an XML bomb, merged cells, wrong columns or too many rows.
    A column whose key is in `optional` may be missing (a sheet from an older template): it then
    reads as None on every row."""
    check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            _refuse_merged_cells(sheet)
            return _rows(sheet, columns, max_rows, optional)
        finally:
            book.close()
    except ValidationError:
        raise
    except Exception as exc:  # a hostile or broken file may raise anything from the XML layer
        raise ValidationError(_UNSAFE if _is_unsafe_xml(exc) else _BROKEN, field="file") from exc


def _is_unsafe_xml(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _refuse_merged_cells(sheet) -> None:
    """Read-only sheets do not expose merged ranges: read the <mergeCell> elements (defused)."""
    ranges = []
    with sheet._get_source() as source:
        for _, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                ranges.append(element.get("ref", ""))
            element.clear()
    if ranges:
        shown = ", ".join(ranges[:5]) + (" …" if len(ranges) > 5 else "")
        raise ValidationError(f"Bảng tính có ô gộp ({shown}). Hãy bỏ gộp ô (Merge & Center → Unmerge Cells), "
                              "điền đủ giá trị vào từng ô rồi tải lên lại.", field="file")


def _value(raw):
    if isinstance(raw, str):
        return nfc(raw) or None
    return raw


def _rows(sheet, columns, max_rows: int, optional: frozenset[str]) -> list[SheetRow]:
    lines = sheet.iter_rows(values_only=True, max_col=len(columns) + 20)
    header = next(lines, None)
    if header is None:
        raise ValidationError("Bảng tính trống: không có dòng tiêu đề.", field="file")
    index = header_index(header, columns, optional=optional)
    rows = []
    for number, line in enumerate(lines, start=2):
        values = {key: _value(line[index[key]]) if index.get(key, len(line)) < len(line) else None
                  for key, _ in columns}
        if all(v is None for v in values.values()):
            continue
        if len(rows) == max_rows:
            raise ValidationError(f"Tệp có quá {max_rows} dòng dữ liệu. Hãy chia thành nhiều tệp.", field="file")
        rows.append(SheetRow(number=number, values=values))
    if not rows:
        raise ValidationError("Bảng tính không có dòng dữ liệu nào dưới dòng tiêu đề.", field="file")
    return rows


def header_index(header: tuple, columns: list[tuple[str, str]], *,
                 optional: frozenset[str] = frozenset()) -> dict[str, int]:
    """Column key → index; one ValidationError naming the missing and unknown columns and
    listing the expected headers. Headers match without regard to case or diacritics; a column
    whose key is in `optional` may be missing, and then has no index."""
    wanted = {fold(label): key for key, label in columns}
    found, unknown = {}, []
    for index, title in enumerate(header):
        name = fold(str(title)) if title is not None else ""
        if name in wanted and wanted[name] not in found:
            found[wanted[name]] = index
        elif name:
            unknown.append(f"“{nfc(str(title))}”")
    missing = [f"“{label}”" for key, label in columns if key not in found and key not in optional]
    if missing or unknown:
        detail = "; ".join(filter(None, [missing and "thiếu cột " + ", ".join(missing),
                                         unknown and "cột không có trong mẫu " + ", ".join(unknown)]))
        expected = ", ".join(f"“{label}”" for _, label in columns)
        raise ValidationError(f"Bảng tính không đúng mẫu ({detail}). Dòng đầu tiên phải có đúng các cột: "
                              f"{expected}. Hãy tải tệp mẫu và nhập lại.", field="file")
    return found


def safe_cell(value):
    """A value fit to write into a cell: text that a spreadsheet would run as a formula
    (starting with = + - @, a tab or a carriage return) gets a leading apostrophe; characters
    XML cannot hold are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, datetime | date | int | float) or value is None:
        return value
    return safe_cell(str(value))
