"""Shared by the inspection services: the transition guard and who hears about an inspection."""

from models import Inspection
from models.enums import INSPECTION_TRANSITIONS, Role

from ..errors import InvalidTransition
from ..plans.recipients import unit_members
from ..security import audit
from ..web.links import path_for


def transition(actor, inspection: Inspection, name: str, *, reason: str = "", **after) -> None:
    """Move `inspection` along the arrow `name` (inside the caller's unit of work), audited."""
    sources, target = INSPECTION_TRANSITIONS[name]
    if inspection.status not in sources:
        raise InvalidTransition("Không thể thực hiện thao tác này ở trạng thái hiện tại của cuộc kiểm tra.")
    before = {"status": inspection.status}
    inspection.status = target
    if reason:
        inspection.status_reason = reason
    audit.record(actor, f"inspection.{name.removesuffix('_inspection')}", "inspection", inspection.id,
                 unit_id=inspection.unit_id, before=before, after={"status": target, "reason": reason} | after)


def target_members(inspection: Inspection) -> list[int]:
    """The officers and head of the inspected unit."""
    return unit_members([inspection.unit_id], [Role.UNIT_OFFICER, Role.UNIT_HEAD])


def team_ids(inspection: Inspection) -> list[int]:
    return sorted(m.user_id for m in inspection.members)


def link(inspection: Inspection) -> str:
    return path_for("inspections.detail", inspection_id=inspection.id)
