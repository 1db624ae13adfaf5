"""The tablet's outbox in one request: up to MAX_ITEMS queued writes (start, result, finding, close, sign),
each run as the route of its kind would run it (scoped, checked, one service call) and answered on its
own: 201 stored, 202 already stored (or a pending correction), 409 conflict, 422 refused with a
message, 403/404 for an inspection out of reach. Photos go on their own (multipart,
/inspections/<id>/photos).

The batch is one unit of work, committed once, its audit events appended together at the end: one
commit and one short turn at the audit chain's lock instead of one per item, which is what makes a
batch cheap. The usual batch (every item stored or already stored) runs in one go; when an item is
refused, the work is rolled back and the batch runs again with a savepoint per item, so the refused
item is rolled back alone (its audit events dropped) and the others are kept. A batch the database
fails as a whole stores nothing and is sent again; a retried batch is stored once, item by item, by
client UUID."""

from flask import jsonify
from flask_login import current_user, login_required
from sqlalchemy.exc import DataError, IntegrityError, PendingRollbackError

from models import Inspection

from ..data.transaction import savepoint, unit_of_work
from ..errors import UNREPRESENTABLE, DomainError, ValidationError, json_error
from ..inspections import fieldwork
from ..security import audit, permissions
from . import bp, payloads
from .inspections import close_item, finding_item, result_item, sign_item, start_item

MAX_ITEMS = 50
# kind → (the permission its route requires, the item's handler)
KINDS = {
    "start": ("inspection.conduct", start_item),
    "result": ("inspection.conduct", result_item),
    "finding": ("inspection.conduct", finding_item),
    "close": ("inspection.lead", close_item),
    "sign": ("inspection.lead", sign_item),
}


@bp.route("/sync", methods=["POST"])
@login_required
def sync_batch():
    """Up to 50 queued writes of the tablet in one request, each answered on its own, in order."""
    items = payloads.items(MAX_ITEMS)
    seen: dict = {}  # (inspection id, action) → the inspection, or why it is out of reach
    try:
        with unit_of_work(), audit.appended_together():
            stored = fieldwork.stored_uuids([_uuid(item) for item in items])
            answers = [_answer(item, _run(item, seen, stored)) for item in items]
    except (DomainError, DataError, IntegrityError, PendingRollbackError):
        with unit_of_work(), audit.appended_together() as events:
            stored = fieldwork.stored_uuids([_uuid(item) for item in items])
            answers = [_answer(item, _isolated(item, seen, stored, events)) for item in items]
    return jsonify({"results": answers})


def _answer(item, answer: tuple[dict, int]) -> dict:
    return {"status": answer[1], "client_uuid": _uuid(item), "body": answer[0]}


def _isolated(item, seen: dict, stored: set, events: list) -> tuple[dict, int]:
    try:
        return _attempt(item, seen, stored, events)
    except (IntegrityError, PendingRollbackError):
        # the same item, sent at the same time from elsewhere, was stored first: now it is found stored
        stored.add((item["kind"], _uuid(item)))
        return _attempt(item, seen, stored, events)


def _attempt(item, seen: dict, stored: set, events: list) -> tuple[dict, int]:
    kept = len(events)
    try:
        with savepoint():
            return _run(item, seen, stored)
    except DomainError as exc:
        answer = json_error(exc)
    except DataError:  # a value the database cannot hold: this item only
        answer = {"error": UNREPRESENTABLE}, 422
    except BaseException:
        del events[kept:]
        raise
    del events[kept:]  # the item's writes were rolled back to its savepoint: so are its audit events
    return answer


def _uuid(item) -> str | None:
    body = item.get("body") if isinstance(item, dict) else None
    uuid = body.get("client_uuid") if isinstance(body, dict) else None
    return uuid if isinstance(uuid, str) else None


def _run(item, seen: dict, stored: set) -> tuple[dict, int]:
    if not isinstance(item, dict):
        raise ValidationError("Mỗi mục phải là một đối tượng JSON.")
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationError(f"Loại mục không hợp lệ: {str(kind)[:20]}.", field="kind")
    data = item.get("body")
    if not isinstance(data, dict):
        raise ValidationError("Nội dung mục (body) phải là một đối tượng JSON.", field="body")
    action, handler = KINDS[kind]
    inspection = _inspection(payloads.integer(item, "inspection_id"), action, seen)
    if kind not in ("result", "finding"):
        return handler(inspection, data)
    uuid = _uuid(item)
    replayed = (kind, uuid) in stored or ("correction", uuid) in stored
    if kind == "result":
        answer = handler(inspection, data, item.get("on_conflict") == "propose", replayed=replayed)
    else:
        answer = handler(inspection, data, replayed=replayed)
    stored.add((kind, uuid))  # the same item again later in the batch: a resubmission
    return answer


def _inspection(inspection_id: int, action: str, seen: dict) -> Inspection:
    """The item's inspection as its route would load it (404 unseen, 403 not allowed), once per batch."""
    key = (inspection_id, action)
    if key not in seen:
        try:
            inspection = permissions.get_visible_or_404(Inspection, inspection_id, current_user)
            permissions.require(current_user, action, inspection)
            seen[key] = inspection
        except DomainError as exc:
            seen[key] = exc
    if isinstance(seen[key], DomainError):
        raise seen[key]
    return seen[key]
