"""Reading an uploaded .xlsx safely, and writing the blank import templates.

The size is capped before anything parses the file; the file must be a real OOXML zip whose
unpacked size is bounded; openpyxl reads it read-only and values-only (it uses defusedxml,
which is installed, for every XML part)."""

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ..errors import ValidationError
from ..language.i18n import N_
from ..language.text import fold, nfc

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
PREVIEW_LOST = N_("Không còn bản xem trước của tệp: hãy tải tệp lên lại.")  # a confirm without its preview
_REQUIRED_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}


@dataclass
class Row:
    number: int  # the row number the user sees in Excel
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


# columns a sheet made from an older template may lack (then empty on every row)
OPTIONAL_COLUMNS = {"honorific"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _header_map(header: tuple, columns: list[tuple[str, str]]) -> dict[str, int]:
    """Column key → index, or one ValidationError naming the missing and unknown columns."""
    wanted = {fold(label): key for key, label in columns}
    found, unknown = {}, []
    for index, title in enumerate(header):
        name = fold(_cell(title))
        if name in wanted and wanted[name] not in found:
            found[wanted[name]] = index
        elif name:
            unknown.append(_cell(title))
    missing = [label for key, label in columns if key not in found and key not in OPTIONAL_COLUMNS]
    if missing or unknown:
        expected = ", ".join(label for _, label in columns)
        detail = "; ".join(filter(None, [missing and "thiếu cột " + ", ".join(missing),
                                         unknown and "cột không đúng mẫu " + ", ".join(unknown)]))
        raise ValidationError(f"Bảng tính không đúng mẫu ({detail}). Dòng đầu tiên phải có đúng các cột: "
                              f"{expected}. Hãy tải tệp mẫu và nhập lại.", field="file")
    return found


def parse_rows(data: bytes, columns: list[tuple[str, str]]) -> list[Row]:
    """The non-empty data rows of the first sheet, keyed by column; header checked first."""
    check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a hostile or broken file may raise anything from the XML layer
        raise ValidationError("Không đọc được tệp Excel (tệp hỏng hoặc không đúng định dạng).",
                              field="file") from exc
    try:
        return _read_sheet(book.worksheets[0], columns)
    finally:
        book.close()


def _read_sheet(sheet, columns) -> list[Row]:
    lines = sheet.iter_rows(values_only=True, max_col=len(columns) + 20)
    header = next(lines, None)
    if header is None:
        raise ValidationError("Bảng tính trống: không có dòng tiêu đề.", field="file")
    index = _header_map(header, columns)
    rows = []
    for number, line in enumerate(lines, start=2):
        values = {key: _cell(line[index[key]]) if index.get(key, len(line)) < len(line) else "" for key, _ in columns}
        if not any(values.values()):
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            raise ValidationError(f"Tệp có quá {MAX_IMPORT_ROWS} dòng dữ liệu. Hãy chia thành nhiều tệp.",
                                  field="file")
        rows.append(Row(number=number, values=values))
    if not rows:
        raise ValidationError("Bảng tính không có dòng dữ liệu nào.", field="file")
    return rows


def template_workbook(columns: list[tuple[str, str]], notes: list[str]) -> bytes:
    """A blank import sheet with the header row, plus a sheet of instructions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    sheet.append([label for _, label in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 28
    guide = book.create_sheet("Hướng dẫn")
    for line in notes:
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
