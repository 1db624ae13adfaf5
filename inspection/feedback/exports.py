"""The desks' figures as an .xlsx file: counts and rates only, never an answer's text."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from models.feedback import ELEMENTS

from ..language.formatting import format_date
from ..web.sheets import safe_cell
from .forms import ELEMENT_SHORT


def _rate(figure) -> float | None:
    return round(figure.rate, 1) if figure.rate is not None else None


def figures_workbook(rows, start: date, end: date) -> bytes:
    """One row per desk: answers, then per element and overall the satisfied, the rated, the rate
    and the mean."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Tỷ lệ hài lòng"
    sheet.append([f"Tỷ lệ hài lòng của người dân với bộ phận một cửa, từ {format_date(start)} đến {format_date(end)}"])
    sheet["A1"].font = Font(bold=True)
    heads = ["Đơn vị", "Bộ phận", "Số phiếu"]
    for key in (*ELEMENTS, "overall"):
        name = str(ELEMENT_SHORT[key]) if key != "overall" else "Chung"
        heads += [f"{name}: hài lòng", f"{name}: số lượt", f"{name}: tỷ lệ (%)", f"{name}: điểm TB"]
    sheet.append(heads)
    for row in rows:
        values = [row.unit_name, row.name, row.answers]
        for figure in (*(row.elements[e] for e in ELEMENTS), row.overall):
            values += [figure.satisfied, figure.count, _rate(figure),
                       round(figure.mean, 2) if figure.mean is not None else None]
        sheet.append([safe_cell(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
