"""The lines of the dashboard's tables, in display order, with their labels."""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..plans.queries import Progress
from .figures import Board
from .unit_rows import Row


@dataclass
class Line:
    label: str
    progress: Progress
    row: Row | None = None
    area_id: int | None = None
    linked: bool = True  # a list can show exactly this line's tasks


@dataclass
class TaskLines:
    units: list[Line]
    areas: list[Line]


def _area_order(areas: list) -> dict:
    return {a.id: n for n, a in enumerate(areas)}


def area_label(areas: list, area_id) -> str:
    return next((a.name for a in areas if a.id == area_id), _("Chưa phân lĩnh vực"))


def task_lines(board: Board, areas: list) -> TaskLines:
    rows = sorted(board.tasks_by_row, key=lambda rid: (not board.rows[rid].is_root, board.rows[rid].name))
    units = [Line(board.rows[rid].name, board.tasks_by_row[rid], board.rows[rid]) for rid in rows]
    order = _area_order(areas)
    by_area = sorted(board.tasks_by_area, key=lambda a: order.get(a, len(order)))
    lines = [Line(area_label(areas, a), board.tasks_by_area[a], None, a, linked=a is not None) for a in by_area]
    return TaskLines(units=units, areas=lines)


def finding_lines(board: Board, areas: list) -> list[tuple[str, dict]]:
    return [(label, by) for label, by, _ in finding_areas(board, areas)]


def finding_areas(board: Board, areas: list) -> list[tuple[str, dict, int | None]]:
    """(label, count per severity, area id) per PAR area, in the official order."""
    order = _area_order(areas)
    ordered = sorted(board.findings, key=lambda a: order.get(a, len(order)))
    return [(area_label(areas, a), board.findings[a], a) for a in ordered]
