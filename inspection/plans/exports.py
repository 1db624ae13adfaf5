"""Exporting tasks to .xlsx: a plan's tasks, a filtered task list, and the import template.

Every cell goes through `safe_cell` (text that would run as a formula gets an apostrophe); dates
are real Excel dates shown dd/mm/yyyy. An export is described by a plain dict (`spec`) so an RQ
job can rebuild it for the same user, under the same scope, without pickling objects."""

import io
import re
from dataclasses import asdict, fields
from datetime import date, timedelta

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from models import Attachment, OrgUnit, ParArea, Plan, Task, db
from models.enums import TASK_STATUS_LABELS, TIMELINESS_LABELS, TaskStatus, Timeliness

from ..data import replica
from ..data.queue import enqueue_after_commit
from ..data.transaction import unit_of_work
from ..deadlines.queries import stage_from
from ..errors import NotFound
from ..language.formatting import format_date, local_today, parse_date
from ..security import permissions, scoping
from ..web.sheets import safe_cell
from .imports import COLUMNS as IMPORT_COLUMNS
from .queries import TaskFilters, filtered_tasks
from .timeliness import rate, shown_progress, task_timeliness

TASK_COLUMNS = [("STT", 7), ("Lĩnh vực", 26), ("Nội dung nhiệm vụ", 60), ("Sản phẩm", 30),
                ("Đơn vị chủ trì", 30), ("Đơn vị phối hợp", 30), ("Thời hạn", 12), ("Thời hạn ban đầu", 14),
                ("Trạng thái", 22), ("Tình hình thực hiện", 24), ("Tiến độ (%)", 10), ("Ngày hoàn thành", 14)]
LIST_COLUMNS = [("Kế hoạch", 18)] + TASK_COLUMNS
EXPORT_KIND = "export"
_DATE_FORMAT = "DD/MM/YYYY"
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
_BOLD = Font(bold=True)


# ---- what is exported: a spec, its select, its size -------------------------------------------

def filters_to_spec(filters: TaskFilters) -> dict:
    """A JSON-safe dict of the list filters (dates as ISO text)."""
    plain = asdict(filters)
    for key in ("due_from", "due_to"):
        plain[key] = plain[key].isoformat() if plain[key] else None
    plain.pop("extra", None)
    return {"filters": plain}


def filters_from_args(args) -> TaskFilters:
    """TaskFilters from query arguments named like its fields; bad values are ignored."""
    def number(name):
        value = (args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    return TaskFilters(plan_id=number("plan_id"), area_id=number("area_id"), unit_id=number("unit_id"),
                       status=args.get("status") or None, timeliness=args.get("timeliness") or None,
                       due_from=parse_date(args.get("due_from", "")), due_to=parse_date(args.get("due_to", "")),
                       q=(args.get("q") or "")[:200], adhoc=args.get("adhoc") in ("1", "y", "true", "on"),
                       extension=stage_from(args.get("extension")))


def _filters(spec: dict) -> TaskFilters:
    known = {f.name for f in fields(TaskFilters)} - {"extra"}
    plain = {k: v for k, v in spec["filters"].items() if k in known}
    for key in ("due_from", "due_to"):
        plain[key] = date.fromisoformat(plain[key]) if plain.get(key) else None
    return TaskFilters(**plain)


def spec_select(actor, spec: dict):
    """The scoped select of the tasks a spec exports for `actor` (a plan: 404 outside scope)."""
    if "plan_id" in spec:
        plan = permissions.get_visible_or_404(Plan, spec["plan_id"], actor)
        return scoping.scope(select(Task).where(Task.plan_id == plan.id), actor, Task)
    return filtered_tasks(actor, _filters(spec))


def count_rows(actor, spec: dict) -> int:
    stmt = select(func.count()).select_from(spec_select(actor, spec).subquery())
    return db.session.execute(stmt).scalar_one()


def is_large(count: int) -> bool:
    """Too many rows to render in the request: an RQ job renders it."""
    return count > current_app.config["EXPORT_SYNC_MAX_ROWS"]


def request_export(actor, spec: dict) -> None:
    """Have the worker render the export; the user is notified with a download link."""
    permissions.require(actor, "task.view")
    spec_select(actor, spec)  # refuses a plan outside the user's scope now, not in the worker
    with unit_of_work():
        enqueue_after_commit("inspection.jobs.exports.export_tasks", actor.id, spec, replica.position())


def get_export(actor, token: str) -> Attachment:
    """A finished background export by its token (the file's sha256): only to the user who
    asked for it; NotFound for anyone else or any other file."""
    if not _TOKEN.match(token or ""):
        raise NotFound()
    stmt = (select(Attachment).where(Attachment.kind == EXPORT_KIND, Attachment.sha256 == token,
                                     Attachment.uploaded_by_id == actor.id).order_by(Attachment.id.desc()))
    attachment = db.session.execute(stmt.limit(1)).scalar_one_or_none()
    if attachment is None:
        raise NotFound()
    return attachment


def build_export(actor, spec: dict, today: date | None = None) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the export `spec` as `actor` sees it."""
    today = today or local_today()
    stmt = spec_select(actor, spec)
    if "plan_id" in spec:
        plan = db.session.get(Plan, spec["plan_id"])
        tasks = list(db.session.execute(stmt.order_by(Task.position, Task.id)).scalars())
        return f"ke-hoach-{plan.year}-{plan.id}-{today:%Y%m%d}.xlsx", plan_workbook(plan, tasks, today)
    tasks = list(db.session.execute(stmt.order_by(Task.deadline, Task.id)).scalars())
    return f"danh-sach-nhiem-vu-{today:%Y%m%d}.xlsx", list_workbook(tasks, today)


# ---- writing ------------------------------------------------------------------------------------

def _cell(sheet, value, *, bold: bool = False, wrap: bool = False):
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if isinstance(value, date):
        cell.number_format = _DATE_FORMAT
    if bold:
        cell.font = _BOLD
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _sheet(book: Workbook, title: str, columns: list[tuple[str, int]]):
    sheet = book.create_sheet(title)
    for index, (_, width) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    return sheet


def _header(sheet, columns) -> None:
    sheet.append([_cell(sheet, label, bold=True, wrap=True) for label, _ in columns])


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def task_values(task: Task, today: date) -> list:
    """One task as the export's cells (TASK_COLUMNS)."""
    return [task.number, task.area.name if task.area else "", task.title, task.expected_output,
            task.unit.name, "; ".join(u.name for u in task.support_units), task.deadline,
            task.original_deadline, TASK_STATUS_LABELS[TaskStatus(task.status)],
            TIMELINESS_LABELS[task_timeliness(task, today)], shown_progress(task.status, task.progress),
            task.completed_on]


def _done_rate(tasks: list[Task], today: date) -> str:
    judged = [task_timeliness(t, today) for t in tasks]
    done = sum(1 for t in judged if t in (Timeliness.DONE_ON_TIME, Timeliness.DONE_LATE))
    return rate(done, sum(1 for t in judged if t != Timeliness.CANCELLED))


def plan_workbook(plan: Plan, tasks: list[Task], today: date) -> bytes:
    """A plan's heading, its completion rate and one row per task."""
    book = Workbook(write_only=True)
    sheet = _sheet(book, "Kế hoạch", TASK_COLUMNS)
    number = f"số {plan.number} " if plan.number else ""
    sheet.append([_cell(sheet, f"Kế hoạch {number}ngày {format_date(plan.issued_on)} — {plan.unit.name}",
                        bold=True)])
    sheet.append([_cell(sheet, plan.title, bold=True)])
    sheet.append([_cell(sheet, f"Hoàn thành {_done_rate(tasks, today)} nhiệm vụ, tính đến ngày "
                               f"{format_date(today)}")])
    sheet.append([])
    _header(sheet, TASK_COLUMNS)
    for task in tasks:
        sheet.append([_cell(sheet, v, wrap=i == 2) for i, v in enumerate(task_values(task, today))])
    return _bytes(book)


def list_workbook(tasks: list[Task], today: date) -> bytes:
    """A filtered task list: the plan each task belongs to, then the task columns."""
    plans = _plan_labels({t.plan_id for t in tasks if t.plan_id})
    book = Workbook(write_only=True)
    sheet = _sheet(book, "Nhiệm vụ", LIST_COLUMNS)
    sheet.append([_cell(sheet, f"Danh sách nhiệm vụ, tính đến ngày {format_date(today)}", bold=True)])
    sheet.append([])
    _header(sheet, LIST_COLUMNS)
    for task in tasks:
        label = plans.get(task.plan_id, "Giao trực tiếp")
        sheet.append([_cell(sheet, v, wrap=i == 3) for i, v in enumerate([label, *task_values(task, today)])])
    return _bytes(book)


def _plan_labels(plan_ids: set[int]) -> dict[int, str]:
    stmt = select(Plan.id, Plan.number, Plan.year).where(Plan.id.in_(plan_ids))
    return {pid: number or f"Kế hoạch năm {year}" for pid, number, year in db.session.execute(stmt)}


# ---- the import template ------------------------------------------------------------------------

def template_workbook(actor, plan: Plan) -> bytes:
    """The import sheet with its headers and one example row, a guide, and the codes of the
    PAR areas and of the units the user may assign to."""
    units = _assignable_units(actor, plan)
    book = Workbook(write_only=True)
    widths = (7, 16, 60, 30, 24, 24, 12)
    sheet = _sheet(book, "Nhiệm vụ", [(label, w) for (_, label), w in zip(IMPORT_COLUMNS, widths, strict=True)])
    _header(sheet, [(label, 0) for _, label in IMPORT_COLUMNS])
    sheet.append([_cell(sheet, v, wrap=i == 2) for i, v in enumerate(_example_row(plan, units))])
    _guide(book)
    _codes(book, units)
    return _bytes(book)


def _assignable_units(actor, plan: Plan) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.is_active, OrgUnit.id != plan.unit_id).order_by(OrgUnit.name).limit(3000)
    return list(db.session.execute(scoping.scope(stmt, actor, OrgUnit)).scalars())


def _example_row(plan: Plan, units: list[OrgUnit]) -> list:
    deadline = max(plan.issued_on + timedelta(days=60), date(plan.year, 6, 30))
    lead = units[0].code if units else "MA-DON-VI"
    return ["1", "TTHC", "Rà soát, công bố, công khai thủ tục hành chính thuộc thẩm quyền giải quyết",
            "Báo cáo kết quả rà soát", lead, "", deadline]


def _guide(book: Workbook) -> None:
    guide = _sheet(book, "Hướng dẫn", [("", 110)])
    for line in GUIDE:
        guide.append([_cell(guide, line)])


def _codes(book: Workbook, units: list[OrgUnit]) -> None:
    areas = list(db.session.execute(select(ParArea).where(ParArea.is_active).order_by(ParArea.position)).scalars())
    sheet = _sheet(book, "Danh mục mã", [("", 14), ("", 80)])
    sheet.append([_cell(sheet, "Mã lĩnh vực", bold=True), _cell(sheet, "Lĩnh vực", bold=True)])
    for area in areas:
        sheet.append([_cell(sheet, area.code), _cell(sheet, area.name)])
    sheet.append([])
    sheet.append([_cell(sheet, "Mã đơn vị", bold=True), _cell(sheet, "Đơn vị", bold=True)])
    for unit in units:
        sheet.append([_cell(sheet, unit.code), _cell(sheet, unit.name)])


GUIDE = [
    "Cách nhập nhiệm vụ của kế hoạch từ tệp Excel",
    "1. Mỗi dòng của trang “Nhiệm vụ” là một nhiệm vụ. Giữ nguyên dòng tiêu đề; xóa dòng ví dụ trước khi nhập.",
    "2. STT: số thứ tự nhiệm vụ trong kế hoạch (1, 2, 3… hoặc 1.1, 1.2…), không trùng nhau và không trùng "
    "nhiệm vụ đã có.",
    "3. Lĩnh vực: mã (ví dụ TTHC) hoặc đúng tên lĩnh vực ở trang “Danh mục mã”; có thể để trống.",
    "4. Đơn vị chủ trì: mã đơn vị hoặc đúng tên đơn vị. Đơn vị phối hợp: các mã cách nhau bằng dấu chấm phẩy (;),"
    " không trùng đơn vị chủ trì.",
    "5. Thời hạn: ngày dạng ngày/tháng/năm (ví dụ 15/08/2024), không trước ngày của kế hoạch.",
    "6. Không gộp ô; tệp tối đa 2 MB và 1.000 dòng.",
    "Sau khi tải lên, hệ thống hiển thị kết quả kiểm tra từng dòng; chỉ khi không còn lỗi mới bấm “Xác nhận nhập”.",
]
