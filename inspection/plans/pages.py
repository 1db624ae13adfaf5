"""What the plan and task pages show around the record itself: tasks grouped by PAR area, progress
with its charts, a task's thread, change log and extension requests. Read-only."""

from dataclasses import dataclass, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from models import AuditEvent, OrgUnit, Plan, Task, TaskUpdate, User, db
from models.enums import FORWARD_OPINIONS, TASK_STATUS_LABELS, Timeliness

from ..deadlines import queries as deadlines
from ..language.formatting import format_date
from ..language.i18n import N_
from ..web.charts import progress_chart
from .queries import FIXED_LABELS, Progress, TaskFilters, filtered_tasks, plan_area_counts, plan_progress, plan_tasks

UPDATE_LABELS = {
    "progress": N_("Báo cáo tiến độ"), "comment": N_("Ý kiến"), "submitted": N_("Gửi kết quả"),
    "confirmed": N_("Thủ trưởng đơn vị xác nhận kết quả"), "accepted": N_("Chấp nhận kết quả (hoàn thành)"),
    "returned": N_("Trả lại"), "reopened": N_("Mở lại nhiệm vụ"),
}

EVENT_LABELS = {
    "task.created": N_("Giao nhiệm vụ"), "task.updated": N_("Sửa nhiệm vụ"),
    "task.reassigned": N_("Giao lại cho đơn vị khác"),
    "task.start": N_("Bắt đầu thực hiện"), "task.progress": N_("Cập nhật tiến độ"), "task.commented": N_("Cho ý kiến"),
    "task.submit": N_("Gửi kết quả"), "task.confirm": N_("Thủ trưởng xác nhận"), "task.accept": N_("Chấp nhận kết quả"),
    "task.return": N_("Trả lại"), "task.reopen": N_("Mở lại"), "task.cancel": N_("Hủy nhiệm vụ"),
    "extension.requested": N_("Đề nghị gia hạn"), "extension.forwarded": N_("Chuyển lãnh đạo đề nghị gia hạn"),
    "extension.approved": N_("Đồng ý gia hạn"),
    "extension.refused": N_("Không đồng ý gia hạn"),
}

FIELD_LABELS = {
    "number": N_("số thứ tự"), "title": N_("nội dung"), "description": N_("yêu cầu cụ thể"),
    "expected_output": N_("sản phẩm"), "deadline": N_("thời hạn"), "area_id": N_("lĩnh vực"),
    "unit_id": N_("đơn vị chủ trì"), "support_unit_ids": N_("đơn vị phối hợp"),
}


@dataclass
class Event:
    """One line of a task's change log, from its audit events."""

    at: datetime
    actor: str
    label: str
    detail: str


@dataclass
class AreaGroup:
    label: str
    area_id: int | None
    tasks: list


def area_groups(tasks: list[Task]) -> list[AreaGroup]:
    """Tasks grouped by PAR area in the areas' official order (tasks without an area last)."""
    groups: dict = {}
    for task in tasks:
        key = (task.area.position, task.area.id) if task.area else (10**6, 0)
        if key not in groups:
            groups[key] = AreaGroup(task.area.name if task.area else _("Nhiệm vụ chung"), task.area_id, [])
        groups[key].tasks.append(task)
    return [groups[k] for k in sorted(groups)]


@dataclass
class AreaCount:
    """The counts of one PAR area's tasks on a plan page too large for rows."""

    area_id: int | None
    progress: Progress


OVERDUE_SHOWN = 50  # the plan page lists the first overdue tasks and links to the whole list


def plan_page(plan: Plan, actor, today: date, max_rows: int) -> dict:
    """The plan's progress with its charts, its first overdue tasks, and the tasks the user sees:
    grouped by PAR area when they are at most `max_rows`, otherwise only their counts per area
    (`area_counts`, each linked to the task list filtered by plan and area). The statements the
    page runs do not grow with the plan."""
    counts = [AreaCount(area_id, replace(c, label=_(c.label)) if c.label in FIXED_LABELS else c)
              for area_id, c in plan_area_counts(plan, actor, today)]
    visible = sum(c.progress.total for c in counts)
    tasks = plan_tasks(plan, actor) if visible <= max_rows else []
    progress = _in_reader_language(plan_progress(plan, today))
    overdue = (filtered_tasks(actor, TaskFilters(plan_id=plan.id, timeliness=Timeliness.OVERDUE), today)
               .add_columns(func.count().over()).options(lazyload(Task.support_units))
               .order_by(Task.deadline, Task.position, Task.id).limit(OVERDUE_SHOWN))
    overdue_rows = db.session.execute(overdue).all()
    return {
        "groups": area_groups(tasks), "visible_count": visible, "progress": progress,
        "area_counts": counts if visible > max_rows else None,
        "overdue": [task for task, _total in overdue_rows],
        "overdue_total": overdue_rows[0][1] if overdue_rows else 0,
        "area_chart": progress_chart(_("Tỷ lệ hoàn thành theo lĩnh vực"), progress["areas"], "chart-areas"),
        "unit_chart": progress_chart(_("Tỷ lệ hoàn thành theo đơn vị chủ trì"), progress["units"], "chart-units"),
    }


def _in_reader_language(progress: dict) -> dict:
    """The fixed group labels ("Toàn kế hoạch", "Chưa phân lĩnh vực") translated for the page;
    area and unit names are data, and the PDF report keeps the Vietnamese of plan_progress."""
    def shown(group: Progress) -> Progress:
        return replace(group, label=_(group.label)) if group.label in FIXED_LABELS else group

    return {key: shown(value) if isinstance(value, Progress) else [shown(g) for g in value]
            for key, value in progress.items()}


def task_page(task: Task) -> dict:
    """The task's plan, thread (oldest first), change log and extension requests."""
    updates = select(TaskUpdate).where(TaskUpdate.task_id == task.id).order_by(TaskUpdate.created_at, TaskUpdate.id)
    return {
        "plan": db.session.get(Plan, task.plan_id) if task.plan_id else None,
        "updates": list(db.session.execute(updates).scalars()),
        "events": task_events(task),
        **deadlines.panel(task),
    }


def task_events(task: Task) -> list[Event]:
    """The task's audit events in words, oldest first."""
    stmt = (select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.target_type == "task", AuditEvent.target_id == str(task.id))
            .order_by(AuditEvent.seq))
    rows = db.session.execute(stmt).all()
    names = _unit_names(rows)
    return [Event(e.at, name or _("Hệ thống"), EVENT_LABELS.get(e.action, e.action), _detail(e, names))
            for e, name in rows]


def _unit_names(rows) -> dict[int, str]:
    ids = set()
    for event, _name in rows:
        for values in (event.before or {}, event.after or {}):
            ids |= {values["unit_id"]} if values.get("unit_id") else set()
            ids |= set(values.get("support_unit_ids") or [])
    if not ids:
        return {}
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())


def _detail(event: AuditEvent, names: dict[int, str]) -> str:
    before, after = event.before or {}, event.after or {}
    if event.action == "task.progress":
        return _("Tiến độ %(percent)s%%", percent=after.get("progress"))
    if event.action == "task.reassigned":
        return _("Từ %(old)s sang %(new)s", old=names.get(before.get("unit_id"), "?"),
                 new=names.get(after.get("unit_id"), "?"))
    if event.action == "task.updated":
        changed = [label for key, label in FIELD_LABELS.items() if before.get(key) != after.get(key)]
        return _("Đã sửa: %(fields)s", fields=", ".join(_(label) for label in changed)) if changed else ""
    if event.action == "extension.requested":
        return _("Đến ngày %(day)s. Lý do: %(reason)s", day=_day(after.get("deadline")), reason=after.get("reason", ""))
    if event.action == "extension.forwarded":
        opinion = FORWARD_OPINIONS.get(after.get("opinion"))
        return ". ".join(filter(None, [_(opinion) if opinion else "", after.get("note", "")]))
    if event.action == "extension.approved":
        return _("Thời hạn mới %(day)s (hạn ban đầu %(original)s)", day=_day(after.get("deadline")),
                 original=_day(after.get("original_deadline")))
    if after.get("reason"):
        return _("Lý do: %(reason)s", reason=after["reason"])
    if "status" in after and event.action.startswith("task."):
        status = TASK_STATUS_LABELS.get(after["status"])
        return _("Trạng thái: %(status)s", status=_(status) if status else after["status"])
    return ""


def _day(value) -> str:
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value or "")
