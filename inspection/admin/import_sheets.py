"""The units' and users' import sheets: their rows read as text, and their blank templates.

Reading is web/sheets.py's (the one .xlsx reader, with its checks); this module turns each cell
into the text the admin checks compare, and lets a sheet from an older template lack a column."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ..language.text import nfc
from ..web.sheets import SheetRow, read_table

MAX_IMPORT_ROWS = 2000
# columns a sheet made from an older template may lack (then empty on every row)
OPTIONAL_COLUMNS = frozenset({"honorific"})


def _text(value) -> str:
    """A cell as text: "" for an empty cell, 3.0 as "3" (Excel stores a typed number as a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def parse_rows(data: bytes, columns: list[tuple[str, str]]) -> list[SheetRow]:
    """The non-empty data rows of the first sheet, every value as text, keyed by column."""
    rows = read_table(data, columns, max_rows=MAX_IMPORT_ROWS, optional=OPTIONAL_COLUMNS)
    for row in rows:
        row.values = {key: _text(value) for key, value in row.values.items()}
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
