"""Importing a plan's tasks from .xlsx: a preview lists every row with its errors, then a confirm.

The preview saves nothing but the uploaded file (and only when every row is valid). The confirm
step re-reads that stored file — never row data from the browser — checks every row again and
adds all the tasks in one unit of work, or none."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils.datetime import from_excel
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from models import Attachment, OrgUnit, ParArea, Plan, Task, db
from models.enums import PlanStatus

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, NotFound, ValidationError
from ..files import storage
from ..language.formatting import format_date
from ..language.text import fold, nfc
from ..security import audit, permissions, scoping
from ..web.sheets import Preview, preview_upload, read_capped, read_table
from .assignments import add_task, validate_task

COLUMNS = [("number", "STT"), ("area", "Lĩnh vực"), ("title", "Nội dung nhiệm vụ"),
           ("expected_output", "Sản phẩm"), ("lead", "Đơn vị chủ trì"), ("supports", "Đơn vị phối hợp"),
           ("deadline", "Thời hạn")]
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 1000
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_LAST_EXCEL_SERIAL = 2958465  # 31/12/9999


@dataclass
class TaskRow:
    """One sheet row: what the preview shows, the task data it would create, its errors."""

    number: int
    shown: dict
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def import_kind(plan: Plan) -> str:
    """The Attachment kind of a file previewed for `plan`: ties the file to its plan."""
    return f"plan_import:{plan.id}"


def _require_open(actor, plan: Plan) -> None:
    permissions.require(actor, "plan.manage", plan)
    if plan.status == PlanStatus.CLOSED:
        raise InvalidTransition("Kế hoạch đã kết thúc, không nhập thêm nhiệm vụ.")


def preview_import(actor, plan: Plan, stream, filename: str) -> Preview:
    """Read an upload and check every row; the file is kept only when no row has an error."""
    _require_open(actor, plan)
    data = read_capped(stream, MAX_IMPORT_BYTES)
    return preview_upload(check_rows(actor, plan, data), data, filename or "nhiem-vu.xlsx", kind=import_kind(plan),
                          unit_id=plan.unit_id, uploaded_by_id=actor.id)


def _previewed_file(actor, plan: Plan, attachment_id) -> Attachment:
    """The file this user previewed for this plan; NotFound for anything else."""
    try:
        attachment = db.session.get(Attachment, int(attachment_id))
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    if attachment is None or attachment.kind != import_kind(plan) or attachment.uploaded_by_id != actor.id:
        raise NotFound()
    return attachment


def confirm_import(actor, plan: Plan, attachment_id) -> list[Task]:
    """Add every row of a previewed file as a task, in one unit of work; refused (nothing
    saved) when any row has an error now."""
    _require_open(actor, plan)
    attachment = _previewed_file(actor, plan, attachment_id)
    with storage.open_attachment(attachment) as stream:
        rows = check_rows(actor, plan, read_capped(stream, MAX_IMPORT_BYTES))
    if any(row.errors for row in rows):
        raise ValidationError("Tệp có dòng bị lỗi nên chưa nhập dòng nào. Hãy sửa tệp và tải lên lại.")
    try:
        with unit_of_work():
            created = [add_task(actor, plan, row.data) for row in rows]
            audit.record(actor, "plan.tasks_imported", "plan", plan.id, unit_id=plan.unit_id,
                         after={"attachment": attachment.id, "filename": attachment.filename,
                                "tasks": [t.number for t in created]})
    except IntegrityError as exc:  # another user numbered a task the same way meanwhile
        raise ValidationError("Kế hoạch vừa được người khác thay đổi (trùng số thứ tự nhiệm vụ). "
                              "Chưa nhập dòng nào; hãy tải tệp lên lại.") from exc
    return created


def check_rows(actor, plan: Plan, data: bytes) -> list[TaskRow]:
    """Every data row of the sheet, converted and checked against the plan and the units
    `actor` sees."""
    sheet_rows = read_table(data, COLUMNS, max_rows=MAX_IMPORT_ROWS)
    lookup = Lookup(actor, [r.values for r in sheet_rows])
    rows = [_convert(r.number, r.values, lookup) for r in sheet_rows]
    _mark_repeated_numbers(rows)
    for row in rows:
        _validate(plan, row)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _convert(number: int, values: dict, lookup: "Lookup") -> TaskRow:
    row = TaskRow(number=number, shown={key: _text(values[key]) for key, _ in COLUMNS})
    errors = row.errors
    row.data = {"number": _task_number(values["number"], errors), "title": row.shown["title"],
                "description": "", "expected_output": row.shown["expected_output"],
                "area_id": lookup.area(row.shown["area"], row.shown, errors),
                "unit_id": lookup.lead(row.shown["lead"], row.shown, errors),
                "support_unit_ids": lookup.supports(row.shown["supports"], row.shown, errors),
                "deadline": parse_deadline(values["deadline"], errors)}
    if not row.data["title"]:
        errors.append("Thiếu nội dung nhiệm vụ.")
    if len(row.data["expected_output"]) > 500:
        errors.append("Sản phẩm dài quá 500 ký tự.")
    if row.data["deadline"]:
        row.shown["deadline"] = format_date(row.data["deadline"])
    return row


def _task_number(value, errors: list[str]) -> str:
    text = _text(value) if not isinstance(value, datetime | date) else ""
    if value is None:
        errors.append("Thiếu số thứ tự (STT).")
    elif not text or len(text) > 20:
        errors.append("STT không hợp lệ (tối đa 20 ký tự, ví dụ 1 hoặc 2.3).")
    return text


def parse_deadline(value, errors: list[str]) -> date | None:
    """A real Excel date, an Excel serial number, or a text dd/mm/yyyy; None (with an error)
    for anything else, such as 31/02/2024."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= _LAST_EXCEL_SERIAL:
            return from_excel(value).date()
        errors.append(f"Thời hạn “{_text(value)}” không phải một ngày.")
        return None
    if value is None:
        errors.append("Thiếu thời hạn (dd/mm/yyyy).")
        return None
    return _parse_text_date(nfc(str(value)), errors)


def _parse_text_date(text: str, errors: list[str]) -> date | None:
    match = _DMY.match(text)
    if not match:
        errors.append(f"Thời hạn “{text}” không đúng dạng ngày/tháng/năm (ví dụ 15/08/2024).")
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        errors.append(f"Thời hạn “{text}” không phải ngày có thật (tháng {month} năm {year} không có ngày {day}).")
        return None


def _mark_repeated_numbers(rows: list[TaskRow]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        number = row.data["number"]
        if number and number in seen:
            row.errors.append(f"STT {number} trùng với dòng {seen[number]} của bảng tính.")
        seen.setdefault(number, row.number)


def _validate(plan: Plan, row: TaskRow) -> None:
    """The domain rules of a task (validate_task), with placeholders for the cells already
    refused, so one row shows every error it has, each once."""
    data = dict(row.data)
    if not data["title"]:
        data["title"] = "-"
    data["unit_id"] = data["unit_id"] or -1
    data["deadline"] = data["deadline"] or plan.issued_on
    try:
        validate_task(plan, data)
    except ValidationError as exc:
        if exc.message not in row.errors and (exc.field != "number" or data["number"]):
            row.errors.append(exc.message)


class Lookup:
    """PAR areas and the units `actor` sees, named in the sheet by code or exact name."""

    def __init__(self, actor, values: list[dict]):
        self.areas = list(db.session.execute(select(ParArea).where(ParArea.is_active)).scalars())
        names = {_text(v["lead"]) for v in values} | {
            part for v in values for part in split_units(_text(v["supports"]))}
        names.discard("")
        stmt = select(OrgUnit).where(or_(func.lower(OrgUnit.code).in_({n.lower() for n in names}),
                                         OrgUnit.name.in_(names)))
        self.units = list(db.session.execute(scoping.scope(stmt, actor, OrgUnit)).scalars())

    def area(self, text: str, shown: dict, errors: list[str]) -> int | None:
        if not text:
            return None
        for area in self.areas:
            if area.code.lower() == text.lower() or fold(area.name) == fold(text):
                shown["area"] = area.name
                return area.id
        errors.append(f"Không tìm thấy lĩnh vực “{text}” (ghi mã, ví dụ TTHC, hoặc đúng tên lĩnh vực).")
        return None

    def unit(self, text: str, errors: list[str]) -> OrgUnit | None:
        by_code = [u for u in self.units if u.code.lower() == text.lower()]
        matches = by_code or [u for u in self.units if u.name == text]
        if not matches:
            errors.append(f"Không tìm thấy đơn vị “{text}” (ghi mã đơn vị hoặc đúng tên đơn vị).")
        elif len(matches) > 1:
            errors.append(f"Có nhiều đơn vị tên “{text}”: hãy ghi mã đơn vị.")
        elif not matches[0].is_active:
            errors.append(f"Đơn vị “{matches[0].name}” đã ngừng hoạt động.")
        else:
            return matches[0]
        return None

    def lead(self, text: str, shown: dict, errors: list[str]) -> int | None:
        if not text:
            errors.append("Thiếu đơn vị chủ trì.")
            return None
        unit = self.unit(text, errors)
        if unit:
            shown["lead"] = unit.name
        return unit.id if unit else None

    def supports(self, text: str, shown: dict, errors: list[str]) -> list[int]:
        units = [self.unit(part, errors) for part in split_units(text)]
        found = list({u.id: u for u in units if u}.values())
        if found:
            shown["supports"] = "; ".join(u.name for u in found)
        return [u.id for u in found]


def split_units(text: str) -> list[str]:
    """ "PNV; VP" → ["PNV", "VP"]: supporting units are separated by semicolons or new lines."""
    return [nfc(part) for part in re.split(r"[;\n]", text or "") if nfc(part)]
