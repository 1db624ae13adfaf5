"""Assigning tasks (giao nhiệm vụ): add to a plan or as a leader's directive, edit, reassign, cancel.
What the lead unit does with a task afterwards (progress, submit, accept, return) is in workflow.py."""

from datetime import date

from sqlalchemy import func, select

from models import OrgUnit, Plan, Task, db
from models.enums import NotificationKind, PlanStatus, TaskStatus

from ..data.transaction import check_version, unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..language.text import fold, nfc
from ..main.notifications import notify
from ..security import audit, permissions
from ..web.links import path_for
from .recipients import task_unit_members, unit_members
from .workflow import transition

MAX_TEXT = 500
TASK_FIELDS = ("number", "title", "description", "expected_output", "deadline", "area_id", "unit_id")


def task_values(task: Task) -> dict:
    return {f: getattr(task, f) for f in TASK_FIELDS} | {
        "support_unit_ids": sorted(u.id for u in task.support_units), "status": task.status}


def _clean(data: dict) -> dict:
    clean = dict(data)
    for key in ("number", "title", "description", "expected_output"):
        clean[key] = nfc(clean.get(key) or "")
    return clean


def validate_task(plan: Plan | None, data: dict, *, task_id: int | None = None) -> None:
    """Domain rules a form cannot know: lead unit, dates, numbering, supporting units."""
    if not data["title"]:
        raise ValidationError("Nhập nội dung nhiệm vụ.", field="title")
    if len(data["title"]) > MAX_TEXT:
        raise ValidationError(f"Nội dung nhiệm vụ tối đa {MAX_TEXT} ký tự.", field="title")
    if not data.get("unit_id"):
        raise ValidationError("Chọn đơn vị chủ trì.", field="unit_id")
    if not isinstance(data.get("deadline"), date):
        raise ValidationError("Nhập thời hạn hoàn thành (dd/mm/yyyy).", field="deadline")
    if int(data["unit_id"]) in {int(u) for u in data.get("support_unit_ids") or []}:
        raise ValidationError("Đơn vị phối hợp không được trùng đơn vị chủ trì.", field="support_unit_ids")
    if plan is not None:
        _validate_in_plan(plan, data, task_id)


def _validate_in_plan(plan: Plan, data: dict, task_id: int | None) -> None:
    if data["deadline"] < plan.issued_on:
        raise ValidationError(f"Thời hạn không được trước ngày kế hoạch ({plan.issued_on:%d/%m/%Y}).",
                              field="deadline")
    if not data["number"]:
        raise ValidationError("Nhập số thứ tự nhiệm vụ trong kế hoạch.", field="number")
    stmt = select(Task.id).where(Task.plan_id == plan.id, Task.number == data["number"])
    if task_id:
        stmt = stmt.where(Task.id != task_id)
    if db.session.execute(stmt).first():
        raise ValidationError(f"Kế hoạch đã có nhiệm vụ số {data['number']}.", field="number")


def _units(actor, ids) -> list[OrgUnit]:
    return [permissions.get_visible_or_404(OrgUnit, i, actor) for i in ids or []]


def add_task(actor, plan: Plan | None, data: dict) -> Task:
    """Add a numbered task to a plan, or assign an ad-hoc directive (plan None)."""
    data = _clean(data)
    lead = permissions.get_visible_or_404(OrgUnit, data.get("unit_id") or 0, actor) if data.get("unit_id") else None
    permissions.require(actor, "plan.manage" if plan else "task.assign", plan or lead)
    if plan is not None and plan.status == PlanStatus.CLOSED:
        raise InvalidTransition("Kế hoạch đã kết thúc, không thêm nhiệm vụ.")
    validate_task(plan, data)
    supports = _units(actor, data.get("support_unit_ids"))
    with unit_of_work():
        task = Task(plan_id=plan.id if plan else None, number=data["number"], position=_next_position(plan),
                    area_id=data.get("area_id") or None, title=data["title"], title_folded=fold(data["title"]),
                    description=data["description"], expected_output=data["expected_output"],
                    unit_id=lead.id, deadline=data["deadline"], original_deadline=data["deadline"],
                    status=TaskStatus.OPEN, assigned_by_id=actor.id)
        task.support_units = supports
        db.session.add(task)
        db.session.flush()
        audit.record(actor, "task.created", "task", task.id, unit_id=task.unit_id, after=task_values(task))
        if plan is None or plan.status == PlanStatus.ISSUED:
            notify_assigned(task)
    return task


def _next_position(plan: Plan | None) -> int:
    if plan is None:
        return 0
    stmt = select(func.coalesce(func.max(Task.position), 0)).where(Task.plan_id == plan.id)
    return db.session.execute(stmt).scalar_one() + 1


def notify_assigned(task: Task) -> None:
    """Tell the lead and supporting units' officers and heads (after the commit)."""
    units = [task.unit_id] + [u.id for u in task.support_units]
    notify(unit_members(units), NotificationKind.ASSIGNED,
           N_("Nhiệm vụ mới: %(title)s — hạn %(deadline)s"), path_for("plans.task_detail", task_id=task.id),
           params={"title": task.title[:200], "deadline": f"{task.deadline:%d/%m/%Y}"},
           group=path_for("plans.task_list", plan_id=task.plan_id) if task.plan_id else "")


def update_task(actor, task: Task, data: dict, *, version) -> Task:
    """Edit a task; changing its lead unit reassigns it (the new unit is notified)."""
    permissions.require(actor, "task.assign", task)
    if task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED):
        raise InvalidTransition("Chỉ sửa được nhiệm vụ chưa nộp kết quả.")
    check_version(task, version, task_values(task))
    data = _clean(data)
    plan = db.session.get(Plan, task.plan_id) if task.plan_id else None
    validate_task(plan, data, task_id=task.id)
    lead = permissions.get_visible_or_404(OrgUnit, data["unit_id"], actor)
    supports = _units(actor, data.get("support_unit_ids"))
    with unit_of_work():
        before = task_values(task)
        reassigned = lead.id != task.unit_id
        _apply(task, data, lead, supports)
        audit.record(actor, "task.reassigned" if reassigned else "task.updated", "task", task.id,
                     unit_id=task.unit_id, before=before, after=task_values(task))
        if reassigned and (plan is None or plan.status == PlanStatus.ISSUED):
            notify_assigned(task)
    return task


def _apply(task: Task, data: dict, lead: OrgUnit, supports: list[OrgUnit]) -> None:
    task.number, task.title, task.title_folded = data["number"], data["title"], fold(data["title"])
    task.description, task.expected_output = data["description"], data["expected_output"]
    task.area_id = data.get("area_id") or None
    if data["deadline"] != task.deadline and task.deadline == task.original_deadline:
        task.original_deadline = data["deadline"]  # corrected before any extension: not an extension
    task.deadline, task.unit_id = data["deadline"], lead.id
    task.support_units = supports


def cancel_task(actor, task: Task, reason: str) -> Task:
    """Cancel an unfinished task (hủy), with a reason."""
    permissions.require(actor, "task.assign", task)
    reason = nfc(reason)
    if not reason:
        raise ValidationError("Nhập lý do hủy nhiệm vụ.", field="reason")
    with unit_of_work():
        transition(actor, task, "cancel_task", reason=reason)
        notify(task_unit_members(task), NotificationKind.SYSTEM, N_("Nhiệm vụ đã bị hủy: %(title)s"),
               path_for("plans.task_detail", task_id=task.id), params={"title": task.title[:200]})
    return task
