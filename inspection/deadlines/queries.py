"""Reads of the extension flow: a subject's requests for its page, and the list filter that the
task and remediation lists (and "Việc cần làm") share."""

from sqlalchemy import select

from models import ExtensionRequest, db
from models.enums import PENDING_EXTENSION, ExtensionStatus

from ..security import permissions
from .forms import STAGES
from .subjects import awaits_leader, coordinator_step, subject_of


def stage_from(value) -> str:
    """The filter's value from a query argument: a stage, "" for none ("1", "true", "on" mean any)."""
    value = (value or "").strip()
    return "y" if value in ("1", "true", "on") else value if value in STAGES else ""


def with_pending(column, stage: str):
    """The select of `column` (ExtensionRequest.task_id or .action_id) of the subjects whose pending
    request is at `stage`."""
    statuses = {"forward": (ExtensionStatus.REQUESTED,),  # anything else true: any pending request
                "decide": PENDING_EXTENSION if not coordinator_step() else (ExtensionStatus.FORWARDED,)}.get(
        stage, PENDING_EXTENSION)
    return select(column).where(ExtensionRequest.status.in_(statuses), column.is_not(None))


def requests_of(record) -> list[ExtensionRequest]:
    """The subject's requests, oldest first."""
    column = getattr(ExtensionRequest, subject_of(record).column)
    stmt = select(ExtensionRequest).where(column == record.id).order_by(ExtensionRequest.created_at,
                                                                         ExtensionRequest.id)
    return list(db.session.execute(stmt).scalars())


def panel(record) -> dict:
    """What the extension block of a subject's page needs: its requests and the pending one."""
    requests = requests_of(record)
    return {"extensions": requests,
            "pending_extension": next((r for r in requests if r.status in PENDING_EXTENSION), None)}


def people_of(requests: list[ExtensionRequest]) -> list[int]:
    return [i for r in requests for i in (r.requested_by_id, r.forwarded_by_id, r.decided_by_id) if i]


def allowed(actor, record, pending: ExtensionRequest | None) -> dict[str, bool]:
    """Which extension forms the subject's page shows to `actor` (the services check again)."""
    def can(action):
        return permissions.can(actor, action, record)

    others = pending is not None and pending.requested_by_id != actor.id
    return {
        "extension": can("extension.request") and pending is None and record.status in subject_of(record).extendable,
        "forward": others and pending.status == ExtensionStatus.REQUESTED and can("extension.forward"),
        "decide": others and awaits_leader(pending) and can("extension.decide"),
    }
