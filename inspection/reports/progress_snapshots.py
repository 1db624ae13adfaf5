"""Snapshot of the plan progress report (báo cáo kết quả thực hiện kế hoạch): the rate overall,
per PAR area and per lead unit, the overdue list and the tasks by area."""

from sqlalchemy import select

from models import ParArea, Plan, Task, db
from models.enums import TIMELINESS_LABELS, Timeliness

from ..language.formatting import local_today
from ..plans.queries import Progress, plan_progress, unit_task_ids
from ..plans.timeliness import task_timeliness
from .snapshots import body_name, day_text, filing_line, focal_unit, header, signature, unit_of

SERIES = ("done_on_time", "done_late", "awaiting_review", "on_track", "overdue", "cancelled")
# No table that spans pages may hold more rows than this (WeasyPrint's slow path).
MAX_TABLE_ROWS = 500


def _group(progress: Progress) -> dict:
    percent = f"{progress.percent:.1f}".replace(".", ",") + "%"
    return {"label": progress.label, "total": progress.total, "counted": progress.counted, "done": progress.done,
            "rate": progress.rate_text, "percent": percent, "due": progress.due, "due_done": progress.due_done,
            "due_rate": progress.due_rate_text, **{key: getattr(progress, key) for key in SERIES}}


def _tasks(plan: Plan, only=None) -> list[Task]:
    stmt = (select(Task).outerjoin(ParArea, ParArea.id == Task.area_id).where(Task.plan_id == plan.id)
            .order_by(ParArea.position, Task.position, Task.id))
    if only is not None:
        stmt = stmt.where(Task.id.in_(only))
    return list(db.session.execute(stmt).scalars())


def _task_row(task: Task, today) -> dict:
    state = task_timeliness(task, today)
    late_days = (today - task.deadline).days if state == Timeliness.OVERDUE else 0
    return {"number": task.number, "title": task.title, "unit": task.unit.short_name or task.unit.name,
            "deadline": day_text(task.deadline),
            "completed_on": day_text(task.completed_on), "state": TIMELINESS_LABELS[state], "key": str(state),
            "late_days": late_days, "extended": task.deadline != task.original_deadline,
            "area": task.area.name if task.area else "Chưa phân lĩnh vực"}


def _chunks(rows: list[dict]) -> list[list[dict]]:
    return [rows[i:i + MAX_TABLE_ROWS] for i in range(0, len(rows), MAX_TABLE_ROWS)] or [[]]


def _by_area(rows: list[dict]) -> list[dict]:
    areas: dict[str, list[dict]] = {}
    for row in rows:
        areas.setdefault(row["area"], []).append(row)
    return [{"area": area, "tables": _chunks(items)} for area, items in areas.items()]


def _plan_reference(plan: Plan) -> str:
    about = plan.title
    if about.lower().startswith("kế hoạch "):
        about = about[len("kế hoạch "):]
    number = f"số {plan.number} " if plan.number else ""
    return f"Kế hoạch {number}ngày {day_text(plan.issued_on)} về {about[:1].lower()}{about[1:]}"


def progress(plan: Plan, unit_id: int | None = None) -> dict:
    """The plan's progress as of today: "hoàn thành 22/24 nhiệm vụ (91,7%)", groups, overdue, tasks;
    with `unit_id`, that unit's own report: only the tasks it leads or supports, issued by it."""
    today = local_today()
    only = unit_task_ids(plan, unit_id) if unit_id else None
    figures = plan_progress(plan, today, only)
    rows = [_task_row(t, today) for t in _tasks(plan, only)]
    overdue = sorted((r for r in rows if r["key"] == Timeliness.OVERDUE), key=lambda r: -r["late_days"])
    unit = unit_of(unit_id or plan.unit_id)
    parent = unit_of(unit.parent_id)
    of_unit = f" của {unit.name}" if unit_id else ""
    return {"header": header(unit, "progress_report", year=today.year),
            "subject": f"Kết quả thực hiện {_plan_reference(plan)}{of_unit}", "plan_reference": _plan_reference(plan),
            "plan_title": plan.title, "as_of": day_text(today), "overall": _group(figures["overall"]),
            "areas": [_group(g) for g in figures["areas"]], "units": [_group(g) for g in figures["units"]],
            "overdue": _chunks(overdue), "overdue_count": len(overdue), "tasks": _by_area(rows),
            "extended": any(r["extended"] for r in rows),
            "signature": signature(unit, None),
            "recipients": _recipients(unit, parent)}


def _recipients(unit, parent) -> list[str]:
    """Up to the body above (and its Nội vụ body), the units carrying out the plan, the filing line
    with the drafting unit's code (the Nội vụ body of a committee's own report)."""
    lines = [f"{body_name(parent)} (để báo cáo);"] if parent is not None else []
    focal = focal_unit(parent) if parent is not None else None
    if focal is not None and focal.id != unit.id:
        lines.append(f"{body_name(focal)} (để theo dõi, tổng hợp);")
    return lines + ["Các cơ quan, đơn vị thực hiện kế hoạch;", filing_line(focal_unit(unit) or unit)]
