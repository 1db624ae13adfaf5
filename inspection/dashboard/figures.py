"""The dashboard's figures, assembled in Python from the sums of queries.totals().

Every figure keeps its numerator and denominator. Timeliness follows DESIGN: work waiting for
review ("chờ duyệt") is never counted against the unit; the on-time rate of a ranking is
done on time ÷ (done on time + done late + overdue), i.e. over the work already due."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from models.enums import Severity

from ..plans.queries import Progress
from ..plans.timeliness import rate
from .period import Period
from .queries import Total
from .unit_rows import COMMUNE_KINDS, Row

UNFINISHED = ("on_track", "overdue", "awaiting_review")
JUDGED = ("done_on_time", "done_late", "overdue")
SEVERITIES = tuple(s.value for s in Severity)


def add(progress: Progress, state: str, n: int) -> None:
    setattr(progress, state, getattr(progress, state) + n)
    progress.total += n


@dataclass
class Ratio:
    """A rate with its parts: "22/24 (91,7%)"."""

    done: int = 0
    total: int = 0

    @property
    def text(self) -> str:
        return rate(self.done, self.total) if self.total else "—"

    @property
    def percent(self) -> float | None:
        return self.done * 100 / self.total if self.total else None


def on_time(progress: Progress) -> Ratio:
    return Ratio(progress.done_on_time, sum(getattr(progress, s) for s in JUDGED))


@dataclass
class Inspections:
    done: int = 0
    planned: int = 0  # every inspection of the period not cancelled (done included)
    units_done: set = field(default_factory=set)
    units_planned: set = field(default_factory=set)
    communes_done: set = field(default_factory=set)
    communes_planned: set = field(default_factory=set)
    undisclosed: int = 0  # not yet disclosed to their target (counted only for those who see them)


@dataclass
class Remediation:
    """Current state of every remediation action (all deadlines)."""

    total: int = 0
    unfinished: int = 0
    overdue: int = 0
    done_on_time: int = 0
    done_late: int = 0
    returned: int = 0


@dataclass
class Rank:
    row: Row
    tasks: Ratio
    actions: Ratio

    @property
    def combined(self) -> Ratio:
        return Ratio(self.tasks.done + self.actions.done, self.tasks.total + self.actions.total)


@dataclass
class TrendPoint:
    month: date
    tasks: Ratio
    actions: Ratio


@dataclass
class Board:
    period: Period
    area_id: int | None
    rows: dict[int, Row]
    root_id: int | None = None  # the unit the user chose to look into
    root_exact: bool = True  # that unit has no sub-units nor predecessors
    tasks: Progress = field(default_factory=lambda: Progress("Tổng"))
    tasks_by_row: dict[int, Progress] = field(default_factory=dict)
    tasks_by_area: dict[int | None, Progress] = field(default_factory=dict)
    inspections: Inspections = field(default_factory=Inspections)
    inspections_by_row: dict[int, Inspections] = field(default_factory=dict)
    findings: dict[int | None, dict[str, int]] = field(default_factory=dict)
    remediation: Remediation = field(default_factory=Remediation)
    actions_by_row: dict[int, Progress] = field(default_factory=dict)
    trend: list[TrendPoint] = field(default_factory=list)

    def ranking(self) -> list[Rank]:
        """Rows by on-time rate (tasks and remediation together), best first; rows with nothing
        due yet last."""
        ranks = [Rank(row, on_time(self.tasks_by_row.get(rid, Progress(""))),
                      on_time(self.actions_by_row.get(rid, Progress("")))) for rid, row in self.rows.items()
                 if rid in self.tasks_by_row or rid in self.actions_by_row]
        return sorted(ranks, key=lambda r: (r.combined.total == 0, -(r.combined.percent or 0),
                                            -r.combined.total, r.row.name))

    def finding_total(self, severity: str | None = None) -> int:
        return sum(n for by in self.findings.values() for s, n in by.items() if severity in (None, s))


def build_board(totals: Iterable[Total], *, period: Period, rows: dict[int, Row], owner: dict[int, int],
                area_id: int | None, may_see: Callable[[int], bool]) -> Board:
    """Fold the sums into the board. `owner` maps a unit to its row; `may_see(ordering_unit_id)`
    says whether counts under an inspection ordered by that unit and not yet disclosed to its
    target are added in."""
    board = Board(period=period, area_id=area_id, rows=rows)
    trend = {m: TrendPoint(m, Ratio(), Ratio()) for m in period.trend_months}
    for total in totals:
        if total.hidden_by is not None and not may_see(total.hidden_by):
            continue
        if total.grain == "unit" and total.key in owner:
            _BY_UNIT[total.subject](board, total, rows[owner[total.key]])
        elif total.grain == "area":
            _by_area(board, total)
        elif total.grain == "month" and total.month in trend:
            _trend(trend[total.month], total)
        elif total.grain == "now":
            _remediation_now(board.remediation, total)
    board.trend = list(trend.values())
    return board


def _task(board: Board, total: Total, row: Row) -> None:
    add(board.tasks, total.state, total.n)
    add(board.tasks_by_row.setdefault(row.unit_id, Progress(row.name)), total.state, total.n)


def _action(board: Board, total: Total, row: Row) -> None:
    add(board.actions_by_row.setdefault(row.unit_id, Progress(row.name)), total.state, total.n)


def _remediation_now(r: Remediation, total: Total) -> None:
    r.total += total.n
    r.unfinished += total.n if total.state in UNFINISHED else 0
    r.overdue += total.n if total.state == "overdue" else 0
    r.done_on_time += total.n if total.state == "done_on_time" else 0
    r.done_late += total.n if total.state == "done_late" else 0
    r.returned += total.n if total.returned else 0


def _inspection(board: Board, total: Total, row: Row) -> None:
    if total.state == "cancelled":
        return
    for target in (board.inspections, board.inspections_by_row.setdefault(row.unit_id, Inspections())):
        _count_inspection(target, total, row)


def _count_inspection(target: Inspections, total: Total, row: Row) -> None:
    done = total.state == "done"
    target.planned += total.n
    target.done += total.n if done else 0
    target.undisclosed += total.n if total.hidden_by is not None else 0
    target.units_planned.add(row.unit_id)
    if done:
        target.units_done.add(row.unit_id)
    if row.kind in COMMUNE_KINDS:
        target.communes_planned.add(row.unit_id)
        if done:
            target.communes_done.add(row.unit_id)


def _by_area(board: Board, total: Total) -> None:
    if total.subject == "task":
        add(board.tasks_by_area.setdefault(total.key, Progress("")), total.state, total.n)
    else:
        board.findings.setdefault(total.key, defaultdict(int))[total.state] += total.n


def _trend(point: TrendPoint, total: Total) -> None:
    ratio = point.tasks if total.subject == "task" else point.actions
    if total.state in JUDGED:
        ratio.total += total.n
        ratio.done += total.n if total.state == "done_on_time" else 0


_BY_UNIT = {"task": _task, "action": _action, "inspection": _inspection, "finding": lambda *_: None}
