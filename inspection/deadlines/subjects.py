"""What the extension flow needs to know of its two subjects, a task and a remediation action:
its column on ExtensionRequest, its audit target, its page, who works on it, when it can be extended."""

from dataclasses import dataclass

from flask import current_app

from models import ExtensionRequest, RemediationAction, Task, db
from models.enums import ExtensionStatus, RemediationStatus, TaskStatus

from ..language.i18n import N_
from ..web.links import path_for


@dataclass(frozen=True)
class Subject:
    model: type
    column: str  # its foreign key on ExtensionRequest
    target: str  # the audit event's target type
    endpoint: str  # its page, with `arg` = its id
    arg: str
    extendable: frozenset  # the statuses in which a later deadline may be asked for
    closed_message: str

    def of(self, request: ExtensionRequest):
        return db.session.get(self.model, getattr(request, self.column))

    def link(self, record) -> str:
        return path_for(self.endpoint, **{self.arg: record.id})

    def title(self, record) -> str:
        return (getattr(record, "title", None) or record.description)[:200]


TASK = Subject(Task, "task_id", "task", "plans.task_detail", "task_id",
               frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED, TaskStatus.AWAITING_HEAD}),
               N_("Nhiệm vụ đã nộp kết quả hoặc đã kết thúc, không đề nghị gia hạn."))
ACTION = Subject(RemediationAction, "action_id", "remediation_action", "remediation.detail", "action_id",
                 frozenset({RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS, RemediationStatus.RETURNED,
                            RemediationStatus.AWAITING_HEAD}),
                 N_("Yêu cầu đã gửi kết quả hoặc đã khắc phục xong, không đề nghị gia hạn."))


def subject_of(record) -> Subject:
    return TASK if isinstance(record, Task) else ACTION


def request_subject(request: ExtensionRequest) -> Subject:
    return TASK if request.task_id is not None else ACTION


def coordinator_step() -> bool:
    """Whether a request goes through the coordinator before the leader (the settings)."""
    return bool(current_app.config.get("EXTENSION_COORDINATOR_STEP", True))


def awaits_leader(request: ExtensionRequest) -> bool:
    """A leader may decide it now: forwarded, or requested where the coordinator step is skipped."""
    return request.status == ExtensionStatus.FORWARDED or (
        request.status == ExtensionStatus.REQUESTED and not coordinator_step())
