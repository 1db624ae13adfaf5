"""Administration of units: create, edit, deactivate, reactivate; the detail page's data."""

from datetime import timedelta

from sqlalchemy import func, select
from wtforms import SelectChoice

from models import Membership, OrgUnit, User, db

from ..data.transaction import check_version, unit_of_work
from ..errors import ValidationError
from ..language.text import fold, nfc
from ..security import audit, permissions, scoping

UNIT_FIELDS = ("name", "short_name", "code", "kind", "place_name", "address", "doc_code", "signing_authorities",
               "requires_head_confirmation")
AUTHORITIES = ("TM", "KT", "TL", "TUQ", "Q")


def unit_values(unit: OrgUnit) -> dict:
    """The editable fields of a unit, for audit events and conflict pages."""
    return {f: getattr(unit, f) for f in UNIT_FIELDS}


def ensure_code_free(code: str, exclude_id: int | None = None) -> None:
    """Refuse a unit code another unit already has."""
    stmt = select(OrgUnit.id).where(OrgUnit.code == code)
    if exclude_id is not None:
        stmt = stmt.where(OrgUnit.id != exclude_id)
    if db.session.execute(stmt).first():
        raise ValidationError(f"Mã đơn vị “{code}” đã được dùng cho đơn vị khác.", field="code")


def ensure_active(unit: OrgUnit, what: str = "Đơn vị") -> None:
    """Refuse a unit that has been stopped."""
    if not unit.is_active:
        raise ValidationError(f"{what} “{unit.name}” đang ngừng hoạt động.")


def _apply(unit: OrgUnit, data: dict) -> None:
    for field in UNIT_FIELDS:
        value = data.get(field, getattr(unit, field))
        setattr(unit, field, nfc(value) if isinstance(value, str) else value)
    unit.name_folded = fold(unit.name)
    unit.doc_code = (unit.doc_code or "").strip()
    unit.signing_authorities = _authorities(unit.signing_authorities or "")


def _authorities(text: str) -> str:
    """ "tm, KT." → "TM,KT": the signature authorities of Nghị định 30, nothing else."""
    chosen = [a.strip().upper().rstrip(".") for a in text.replace(";", ",").split(",") if a.strip()]
    if unknown := [a for a in chosen if a not in AUTHORITIES]:
        raise ValidationError(f"Thẩm quyền ký không hợp lệ: {', '.join(unknown)} (chỉ TM, KT, TL, TUQ, Q).",
                              field="signing_authorities")
    return ",".join(a for a in AUTHORITIES if a in chosen)


def new_unit(data: dict, parent: OrgUnit, valid_from=None) -> OrgUnit:
    """Add a unit under `parent` to the session (no checks, no audit: callers do both)."""
    unit = OrgUnit(parent_id=parent.id, valid_from=valid_from, short_name="", place_name="",
                   address="", doc_code="", signing_authorities="", requires_head_confirmation=True)
    _apply(unit, data)
    db.session.add(unit)
    db.session.flush()
    return unit


def create_unit(actor, data: dict, *, parent_id) -> OrgUnit:
    """Create a unit under a parent the actor sees."""
    parent = permissions.get_visible_or_404(OrgUnit, parent_id, actor)
    permissions.require(actor, "unit.manage", parent)
    ensure_active(parent, "Đơn vị cấp trên")
    ensure_code_free(nfc(data["code"]))
    with unit_of_work():
        unit = new_unit(data, parent, data.get("valid_from"))
        audit.record(actor, "unit.created", "org_unit", unit.id, unit_id=unit.id,
                     after={**unit_values(unit), "parent_id": parent.id, "valid_from": unit.valid_from})
    scoping.forget_visibility()
    return unit


def update_unit(actor, unit: OrgUnit, data: dict, *, version) -> OrgUnit:
    """Edit a unit's name, code and settings."""
    permissions.require(actor, "unit.manage", unit)
    check_version(unit, version, unit_values(unit))
    ensure_code_free(nfc(data["code"]), exclude_id=unit.id)
    with unit_of_work():
        before = unit_values(unit)
        _apply(unit, data)
        audit.record(actor, "unit.updated", "org_unit", unit.id, unit_id=unit.id,
                     before=before, after=unit_values(unit))
    return unit


def active_children(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's direct children still in use."""
    stmt = select(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.is_active.is_(True))
    return list(db.session.execute(stmt.order_by(OrgUnit.name_folded)).scalars())


def active_member_count(unit: OrgUnit) -> int:
    """How many active users hold a role on the unit itself."""
    stmt = (select(func.count(func.distinct(Membership.user_id))).join(User, User.id == Membership.user_id)
            .where(Membership.unit_id == unit.id, User.is_active.is_(True)))
    return db.session.execute(stmt).scalar_one()


def deactivation_warnings(unit: OrgUnit) -> list[str]:
    """What still hangs on a unit about to be deactivated, in words."""
    warnings = []
    children = active_children(unit)
    if children:
        warnings.append(f"Đơn vị còn {len(children)} đơn vị trực thuộc đang hoạt động.")
    members = active_member_count(unit)
    if members:
        warnings.append(f"Đơn vị còn {members} người dùng đang hoạt động có vai trò tại đơn vị.")
    return warnings


def deactivate_unit(actor, unit: OrgUnit, *, acknowledged: bool) -> None:
    """Stop a unit (its records stay); refused until warnings are acknowledged."""
    permissions.require(actor, "unit.manage", unit)
    if unit.parent_id is None:
        raise ValidationError("Không thể ngừng hoạt động đơn vị gốc.")
    if not unit.is_active:
        raise ValidationError("Đơn vị đã ngừng hoạt động.")
    if deactivation_warnings(unit) and not acknowledged:
        raise ValidationError("Hãy xác nhận đã đọc các cảnh báo trước khi ngừng hoạt động đơn vị.",
                              field="acknowledge")
    _set_active(actor, unit, False, "unit.deactivated")


def reactivate_unit(actor, unit: OrgUnit) -> None:
    """Bring a stopped unit back, unless it was merged into another."""
    permissions.require(actor, "unit.manage", unit)
    if unit.successor_id is not None:
        raise ValidationError("Đơn vị đã được sáp nhập vào đơn vị khác, không thể hoạt động trở lại.")
    if unit.is_active:
        raise ValidationError("Đơn vị đang hoạt động.")
    _set_active(actor, unit, True, "unit.reactivated")


def _set_active(actor, unit: OrgUnit, active: bool, action: str) -> None:
    with unit_of_work():
        unit.is_active = active
        audit.record(actor, action, "org_unit", unit.id, unit_id=unit.id,
                     before={"is_active": not active}, after={"is_active": active})


def unit_detail(unit: OrgUnit) -> dict:
    """A unit's children, memberships, predecessors and successor, for its detail page."""
    children = select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.name_folded)
    members = (select(Membership, User).join(User, User.id == Membership.user_id)
               .where(Membership.unit_id == unit.id).order_by(User.full_name_folded))
    predecessors = (select(OrgUnit).where(OrgUnit.successor_id == unit.id)
                    .order_by(OrgUnit.valid_to, OrgUnit.name_folded))
    return {
        "parent": db.session.get(OrgUnit, unit.parent_id) if unit.parent_id else None,
        "children": list(db.session.execute(children).scalars()),
        "members": list(db.session.execute(members).all()),
        "predecessors": list(db.session.execute(predecessors).scalars()),
        "successor": db.session.get(OrgUnit, unit.successor_id) if unit.successor_id else None,
        "merged_on": unit.valid_to + timedelta(days=1) if unit.successor_id and unit.valid_to else None,
    }


def unit_choices(actor, *, active_only: bool = True, with_root: bool = True) -> list[SelectChoice]:
    """(id, "name (code)") of the units the actor sees, for select boxes."""
    stmt = scoping.scope(select(OrgUnit.id, OrgUnit.name, OrgUnit.code), actor, OrgUnit)
    if active_only:
        stmt = stmt.where(OrgUnit.is_active.is_(True))
    if not with_root:
        stmt = stmt.where(OrgUnit.parent_id.is_not(None))
    rows = db.session.execute(stmt.order_by(OrgUnit.name_folded)).all()
    return [SelectChoice(str(r.id), f"{r.name} ({r.code})") for r in rows]
