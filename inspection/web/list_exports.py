"""Exporting a filtered list to .xlsx, the same way for every list.

Each list defines a `ListExport` in its feature (its scoped, filtered select built from the list's
query string, and its columns); its views hand it to respond(), and jobs/exports.py names every one
for the worker. A list small enough downloads at once; a larger one is rendered by the
worker (jobs/exports.export_list) for the same user under the same scope, who is notified with a
link only they can open. Only the query string travels to the job, never objects."""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, current_app, render_template, request
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from models import db

from ..data import replica
from ..data.queue import enqueue_after_commit
from ..data.transaction import unit_of_work
from ..language.formatting import TZ, format_date, local_today
from ..security import permissions
from .sheets import XLSX_MIME, safe_cell

BATCH = 500  # rows loaded (and their related names looked up) at a time
IGNORED_ARGS = ("after", "csrf_token")


@dataclass(frozen=True)
class ListExport:
    """What one list exports: `select(actor, args)` is the list's scoped, filtered select and
    `rows(records)` the cells of a batch of its records (related names loaded once per batch)."""

    kind: str
    title: str  # the sheet's heading, also the file name's stem
    filename: str
    permission: str
    columns: list[tuple[str, int]]
    select: Callable
    order: Callable  # () -> the ORDER BY columns (the list's own order)
    rows: Callable[[list], Iterable[list]]


def plain_args(args) -> dict[str, str]:
    """The list's query string as a JSON-safe dict (no cursor, no empty values)."""
    return {k: v for k, v in args.items() if k not in IGNORED_ARGS and v}


def count_rows(actor, export: ListExport, args: dict) -> int:
    stmt = export.select(actor, args)
    return db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()


def build(actor, export: ListExport, args: dict, today: date | None = None) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the list filtered by `args`, as `actor` sees it."""
    today = today or local_today()
    permissions.require(actor, export.permission)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(export.title[:31])
    for index, (_, width) in enumerate(export.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([_cell(sheet, f"{export.title}, tính đến ngày {format_date(today)}", bold=True)])
    sheet.append([])
    sheet.append([_cell(sheet, label, bold=True, wrap=True) for label, _ in export.columns])
    stmt = export.select(actor, args).order_by(None).order_by(*export.order())
    for batch in db.session.execute(stmt.execution_options(yield_per=BATCH)).scalars().partitions():
        for values in export.rows(list(batch)):
            sheet.append([_cell(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return f"{export.filename}-{today:%Y%m%d}.xlsx", out.getvalue()


def _cell(sheet, value, *, bold: bool = False, wrap: bool = False):
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(TZ).replace(tzinfo=None)  # Excel has no time zones: Vietnam's time
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def request_export(actor, export: ListExport, args: dict) -> None:
    """Have the worker render the export; the user is notified with a download link."""
    permissions.require(actor, export.permission)
    with unit_of_work():
        enqueue_after_commit("inspection.jobs.exports.export_list", actor.id, export.kind, args, replica.position())


def respond(actor, export: ListExport, back: str):
    """The view of an export: GET gives the file when small, else a page offering to render it
    in the background; POST queues that rendering."""
    args = plain_args(request.args)
    if request.method == "POST":
        request_export(actor, export, args)
        return render_template("plans/export_queued.html", back=back)
    permissions.require(actor, export.permission)
    count = count_rows(actor, export, args)
    if count > current_app.config["EXPORT_SYNC_MAX_ROWS"]:
        return render_template("exports/large.html", count=count, back=back, action=request.full_path)
    filename, content = build(actor, export, args)
    return Response(content, mimetype=XLSX_MIME, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
