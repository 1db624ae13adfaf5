"""A task's life after assignment: progress, submission, confirmation, review (extensions:
inspection/deadlines, shared with remediation actions).

Each arrow of DESIGN's task state machine is one function here; `transition` refuses anything
TASK_TRANSITIONS does not list."""


from models import OrgUnit, Task, TaskUpdate, ancestor_ids, db, utcnow
from models.enums import TASK_TRANSITIONS, NotificationKind, Role, TaskStatus

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..security import audit, permissions
from ..web.links import path_for
from .recipients import task_unit_members, unit_members


def transition(actor, task: Task, name: str, *, reason: str = "") -> None:
    """Move `task` along the arrow `name` (inside the caller's unit of work), with its audit event."""
    sources, target = TASK_TRANSITIONS[name]
    if task.status not in sources:
        raise InvalidTransition("Không thể thực hiện thao tác này ở trạng thái hiện tại của nhiệm vụ.")
    before = {"status": task.status, "completed_on": task.completed_on}
    task.status = target
    if reason:
        task.status_reason = reason
    audit.record(actor, f"task.{name.removesuffix('_task')}", "task", task.id, unit_id=task.unit_id,
                 before=before, after={"status": task.status, "completed_on": task.completed_on, "reason": reason})


def _log(actor, task: Task, kind: str, note: str = "", progress: int | None = None, files=()) -> TaskUpdate:
    update = TaskUpdate(task_id=task.id, author_id=actor.id, kind=kind, note=nfc(note), progress=progress)
    update.attachments = list(files)
    db.session.add(update)
    return update


def _link(task: Task) -> str:
    return path_for("plans.task_detail", task_id=task.id)


def report_progress(actor, task: Task, *, progress: int, note: str, files=()) -> TaskUpdate:
    """Post a progress update (percentage, note, files); starts an open task."""
    permissions.require(actor, "task.report", task)
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError("Tiến độ phải từ 0 đến 100%.", field="progress")
    if task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED):
        raise InvalidTransition("Nhiệm vụ đã nộp kết quả hoặc đã kết thúc, không cập nhật tiến độ.")
    with unit_of_work():
        if task.status != TaskStatus.IN_PROGRESS:
            transition(actor, task, "start_task")
        task.progress = progress
        update = _log(actor, task, "progress", note, progress, files)
        audit.record(actor, "task.progress", "task", task.id, unit_id=task.unit_id, after={"progress": progress})
    return update


def comment_task(actor, task: Task, *, note: str, files=()) -> TaskUpdate:
    """Add a comment to the task's thread."""
    permissions.require(actor, "task.comment", task)
    if not nfc(note):
        raise ValidationError("Nhập nội dung ý kiến.", field="note")
    with unit_of_work():
        update = _log(actor, task, "comment", note, files=files)
        audit.record(actor, "task.commented", "task", task.id, unit_id=task.unit_id)
    return update


def _is_head(actor, task: Task) -> bool:
    return permissions.can(actor, "task.confirm", task)


def submit_task(actor, task: Task, *, note: str, files=()) -> Task:
    """The unit submits its result: to its head first where the unit requires it."""
    permissions.require(actor, "task.submit", task)
    unit = db.session.get(OrgUnit, task.unit_id)
    skip_head = not unit.requires_head_confirmation or _is_head(actor, task)
    with unit_of_work():
        transition(actor, task, "submit_task")
        _log(actor, task, "submitted", note, files=files)
        if skip_head:
            _complete(actor, task)
        else:
            notify(unit_members([task.unit_id], [Role.UNIT_HEAD]), NotificationKind.SYSTEM,
                   N_("Chờ xác nhận kết quả: %(title)s"), _link(task), params={"title": task.title[:200]})
    return task


def confirm_task(actor, task: Task) -> Task:
    """The unit head confirms the result: the unit's completion date is today."""
    permissions.require(actor, "task.confirm", task)
    with unit_of_work():
        _complete(actor, task)
    return task


def _complete(actor, task: Task) -> None:
    transition(actor, task, "confirm_task")
    task.completed_on = local_today()
    _log(actor, task, "confirmed")
    reviewers = unit_members(ancestor_ids(task.unit_id), [Role.COORDINATOR])  # and whoever assigned it
    notify([*reviewers, *([task.assigned_by_id] if task.assigned_by_id else [])], NotificationKind.SYSTEM,
           N_("Đơn vị đã gửi kết quả, chờ duyệt: %(title)s"), _link(task), params={"title": task.title[:200]})


def accept_task(actor, task: Task) -> Task:
    """The assigning coordinator or leader accepts the result (hoàn thành)."""
    permissions.require(actor, "task.review", task)
    with unit_of_work():
        transition(actor, task, "accept_task")
        task.accepted_at, task.progress = utcnow(), 100
        _log(actor, task, "accepted")
        notify(task_unit_members(task), NotificationKind.SYSTEM, N_("Kết quả đã được chấp nhận: %(title)s"),
               _link(task), params={"title": task.title[:200]})
    return task


def return_task(actor, task: Task, *, reason: str) -> Task:
    """Return the result to the unit (trả lại) with a reason; the head may return it to the officer."""
    reviewer = permissions.can(actor, "task.review", task)
    if not (reviewer or (task.status == TaskStatus.AWAITING_HEAD and _is_head(actor, task))):
        permissions.require(actor, "task.review", task)
    reason = nfc(reason)
    if not reason:
        raise ValidationError("Nhập lý do trả lại.", field="reason")
    with unit_of_work():
        transition(actor, task, "return_task", reason=reason)
        task.completed_on = None
        _log(actor, task, "returned", reason)
        notify(task_unit_members(task), NotificationKind.RETURNED, N_("Nhiệm vụ bị trả lại: %(title)s"),
               _link(task), params={"title": task.title[:200]})
    return task


def reopen_task(actor, task: Task, *, reason: str) -> Task:
    """A leader reopens an accepted task, with a reason."""
    permissions.require(actor, "task.reopen", task)
    reason = nfc(reason)
    if not reason:
        raise ValidationError("Nhập lý do mở lại nhiệm vụ.", field="reason")
    with unit_of_work():
        transition(actor, task, "reopen_task", reason=reason)
        task.completed_on, task.accepted_at = None, None
        _log(actor, task, "reopened", reason)
        notify(task_unit_members(task), NotificationKind.SYSTEM, N_("Nhiệm vụ được mở lại: %(title)s"),
               _link(task), params={"title": task.title[:200]})
    return task
