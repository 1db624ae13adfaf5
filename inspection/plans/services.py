"""Plans (kế hoạch): drafting, editing, issuing, closing, copying to another year. Their tasks are
assigned in assignments.py and move through their states in workflow.py.

Every function takes an explicit actor, checks the permission module, writes the audit event
and commits in one unit of work; notifications go out after the commit."""

from datetime import date

from sqlalchemy import select

from models import OrgUnit, ParArea, Plan, Task, db
from models.enums import PLAN_TRANSITIONS, PlanStatus, TaskStatus

from ..data.transaction import check_version, unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.text import fold, nfc
from ..security import audit, permissions
from .assignments import notify_assigned

PLAN_FIELDS = ("number", "issued_on", "title", "year")


def plan_values(plan: Plan) -> dict:
    return {f: getattr(plan, f) for f in PLAN_FIELDS} | {"areas": [a.id for a in plan.areas]}


def _areas(area_ids) -> list[ParArea]:
    ids = [int(a) for a in area_ids or []]
    return list(db.session.execute(select(ParArea).where(ParArea.id.in_(ids))).scalars()) if ids else []


def create_plan(actor, *, unit: OrgUnit, number: str, issued_on: date, title: str, year: int,
                area_ids=()) -> Plan:
    """Draft a plan of `unit` (dự thảo)."""
    permissions.require(actor, "plan.manage", unit)
    _validate_plan(title, year, issued_on)
    with unit_of_work():
        plan = Plan(unit_id=unit.id, number=nfc(number), issued_on=issued_on, title=nfc(title),
                    title_folded=fold(title), year=year, status=PlanStatus.DRAFT, created_by_id=actor.id)
        plan.areas = _areas(area_ids)
        db.session.add(plan)
        db.session.flush()
        audit.record(actor, "plan.created", "plan", plan.id, unit_id=unit.id, after=plan_values(plan))
    return plan


def _validate_plan(title: str, year: int, issued_on: date) -> None:
    if not nfc(title):
        raise ValidationError("Nhập tên kế hoạch.", field="title")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError("Năm kế hoạch không hợp lệ.", field="year")
    if issued_on is None:
        raise ValidationError("Nhập ngày kế hoạch (dd/mm/yyyy).", field="issued_on")


def update_plan(actor, plan: Plan, *, version, **data) -> Plan:
    """Edit a plan's number, date, title, year and areas."""
    permissions.require(actor, "plan.manage", plan)
    check_version(plan, version, plan_values(plan))
    _validate_plan(data["title"], data["year"], data["issued_on"])
    with unit_of_work():
        before = plan_values(plan)
        plan.number, plan.issued_on, plan.year = nfc(data["number"]), data["issued_on"], int(data["year"])
        plan.title, plan.title_folded = nfc(data["title"]), fold(data["title"])
        plan.areas = _areas(data.get("area_ids"))
        audit.record(actor, "plan.updated", "plan", plan.id, unit_id=plan.unit_id, before=before,
                     after=plan_values(plan))
    return plan


def issue_plan(actor, plan: Plan) -> Plan:
    """Issue a drafted plan (ban hành): its tasks are assigned and their units notified."""
    permissions.require(actor, "plan.issue", plan)
    _plan_transition(plan, PlanStatus.ISSUED)
    tasks = _plan_tasks(plan)
    if not tasks:
        raise ValidationError("Kế hoạch chưa có nhiệm vụ nào.")
    with unit_of_work():
        plan.status, plan.issued_by_id = PlanStatus.ISSUED, actor.id
        for task in tasks:
            task.assigned_by_id = task.assigned_by_id or actor.id
        audit.record(actor, "plan.issued", "plan", plan.id, unit_id=plan.unit_id,
                     after={"status": plan.status, "tasks": len(tasks)})
        for task in tasks:
            notify_assigned(task)
    return plan


def close_plan(actor, plan: Plan) -> Plan:
    """Close an issued plan (kết thúc)."""
    permissions.require(actor, "plan.issue", plan)
    _plan_transition(plan, PlanStatus.CLOSED)
    with unit_of_work():
        plan.status = PlanStatus.CLOSED
        audit.record(actor, "plan.closed", "plan", plan.id, unit_id=plan.unit_id, after={"status": plan.status})
    return plan


def _plan_transition(plan: Plan, target: PlanStatus) -> None:
    if target not in PLAN_TRANSITIONS.get(PlanStatus(plan.status), set()):
        raise InvalidTransition("Không thể chuyển kế hoạch sang trạng thái này.")


def _plan_tasks(plan: Plan) -> list[Task]:
    stmt = select(Task).where(Task.plan_id == plan.id).order_by(Task.position, Task.id)
    return list(db.session.execute(stmt).scalars())


def copy_plan(actor, source: Plan, *, year: int) -> Plan:
    """A new draft from last year's plan: same tasks, deadlines moved to `year`."""
    permissions.require(actor, "plan.manage", source)
    shift = int(year) - source.year
    with unit_of_work():
        copy = create_plan(actor, unit=source.unit, number="", issued_on=_shift(source.issued_on, shift),
                           title=source.title.replace(str(source.year), str(year)), year=year,
                           area_ids=[a.id for a in source.areas])
        copy.copied_from_id = source.id
        for task in _plan_tasks(source):
            _copy_task(actor, copy, task, shift)
    return copy


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/02 in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _copy_task(actor, plan: Plan, task: Task, shift: int) -> None:
    clone = Task(plan_id=plan.id, number=task.number, position=task.position, area_id=task.area_id,
                 title=task.title, title_folded=task.title_folded, description=task.description,
                 expected_output=task.expected_output, unit_id=task.unit_id,
                 deadline=_shift(task.deadline, shift), original_deadline=_shift(task.deadline, shift),
                 status=TaskStatus.OPEN, assigned_by_id=actor.id)
    clone.support_units = list(task.support_units)
    db.session.add(clone)
