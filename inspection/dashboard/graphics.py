"""The dashboard's charts (server SVG, the same primitives as the PDFs)."""

from dataclasses import replace

from flask_babel import gettext as _
from markupsafe import Markup

from ..web.charts import Bar, Line, Value, bar_chart, line_chart, progress_chart, stacked_bars
from .figures import SEVERITIES, Board
from .tables import finding_lines, task_lines

WEAKEST = 10  # units in the "lowest on-time rate" chart
MAX_BARS = 30  # above this, the table (and the weakest units' chart) say it better


def for_board(board: Board, areas: list) -> dict[str, Markup | None]:
    return {"units": _units(board), "areas": _areas(board, areas), "findings": _findings(board, areas),
            "trend": _trend(board), "weakest": _weakest(board)}


def _units(board: Board) -> Markup | None:
    """Stacked bars per unit, when there are few enough units for a chart to be read."""
    groups = [line.progress for line in task_lines(board, []).units]
    if not groups or len(groups) > MAX_BARS:
        return None
    return progress_chart(_("Nhiệm vụ đến hạn trong kỳ, theo đơn vị chủ trì"), groups, "ch-units")


def _areas(board: Board, areas: list) -> Markup | None:
    groups = [replace(line.progress, label=line.label) for line in task_lines(board, areas).areas]
    return progress_chart(_("Nhiệm vụ đến hạn trong kỳ, theo lĩnh vực"), groups, "ch-areas") if groups else None


def _findings(board: Board, areas: list) -> Markup | None:
    bars = [Bar(label, dict(by), str(sum(by.values()))) for label, by in finding_lines(board, areas)]
    if not bars:
        return None
    return stacked_bars(_("Tồn tại, hạn chế phát hiện qua kiểm tra, theo lĩnh vực và mức độ"), bars,
                        list(SEVERITIES), chart_id="ch-findings")


def _trend(board: Board) -> Markup:
    labels = [f"{p.month:%m/%Y}" for p in board.trend]
    lines = [Line(_("Nhiệm vụ hoàn thành đúng hạn"), "#1f4e8c", [p.tasks.percent for p in board.trend],
                  [p.tasks.text for p in board.trend]),
             Line(_("Khắc phục đúng hạn"), "#1e7a3c", [p.actions.percent for p in board.trend],
                  [p.actions.text for p in board.trend], dashed=True)]
    return line_chart(_("Tỷ lệ hoàn thành đúng hạn theo tháng (trên số việc đã đến hạn)"), labels, lines,
                      chart_id="ch-trend")


def _weakest(board: Board) -> Markup | None:
    ranked = [r for r in board.ranking() if r.combined.total]
    lowest = list(reversed(ranked))[:WEAKEST]
    if not lowest:
        return None
    values = [Value(r.row.name, r.combined.percent, r.combined.text, _colour(r.combined.percent)) for r in lowest]
    return bar_chart(_("Đơn vị có tỷ lệ hoàn thành đúng hạn thấp nhất (nhiệm vụ và khắc phục)"), values,
                     chart_id="ch-weakest")


def _colour(percent: float) -> str:
    if percent >= 90:
        return "#1e7a3c"
    return "#d9822b" if percent >= 70 else "#b3261e"
