"""Administration of units (users and merges follow the same pattern)."""

from models import OrgUnit

from .. import audit, permissions
from ..errors import Conflict
from ..text import fold, nfc
from ..transaction import unit_of_work

UNIT_FIELDS = ("name", "short_name", "code", "kind", "place_name", "address", "requires_head_confirmation")


def unit_values(unit: OrgUnit) -> dict:
    return {f: getattr(unit, f) for f in UNIT_FIELDS}


def check_version(record, expected, values: dict) -> None:
    """Refuse a save made on a stale copy; the conflict carries the current values."""
    if str(record.version) != str(expected):
        raise Conflict("Bản ghi đã được người khác cập nhật trong khi bạn sửa. "
                       "Giá trị hiện tại được hiển thị bên dưới.", current=values)


def update_unit(actor, unit: OrgUnit, data: dict, *, version) -> OrgUnit:
    """Edit a unit's name, code and settings."""
    permissions.require(actor, "unit.manage", unit)
    check_version(unit, version, unit_values(unit))
    with unit_of_work():
        before = unit_values(unit)
        for field in UNIT_FIELDS:
            value = data[field]
            setattr(unit, field, nfc(value) if isinstance(value, str) else value)
        unit.name_folded = fold(unit.name)
        audit.record(actor, "unit.updated", "org_unit", unit.id, unit_id=unit.id,
                     before=before, after=unit_values(unit))
    return unit
