"""Merging units ("sáp nhập"): A + B → C from an effective date.

The predecessors end the day before (valid_to), point to C (successor_id) and stop; their
members move to C; their history rolls up to C through `subtree_ids`, which follows successor
links. Closed records keep their original unit."""

from datetime import date, timedelta

from sqlalchemy import select

from models import Membership, OrgUnit, db, subtree_ids

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..inspections.team_rule import remove_insiders
from ..language.formatting import format_date
from ..language.text import nfc
from ..security import audit, permissions, scoping
from .units import ensure_active, ensure_code_free, new_unit, unit_values


def merge_units(actor, *, predecessor_ids, effective_on: date, successor_id=None,
                new_successor: dict | None = None) -> OrgUnit:
    """Merge two or more units into an existing unit or a new one, from `effective_on`."""
    permissions.require(actor, "unit.merge")
    predecessors = _load_predecessors(actor, predecessor_ids)
    _check_predecessors(predecessors, effective_on)
    successor = _existing_successor(actor, successor_id, predecessors, effective_on) if successor_id else None
    parent = None if successor else _check_new_successor(actor, new_successor or {}, predecessors)
    with unit_of_work():
        created = successor is None
        if created:
            successor = new_unit(new_successor, parent, effective_on)
        _record_successor(actor, successor, predecessors, effective_on, created=created)
        for unit in predecessors:
            _end_predecessor(actor, unit, successor, effective_on)
        _move_memberships(actor, predecessors, successor)
        _move_open_work(predecessors, successor)
        remove_insiders(actor)  # a merged unit's people now belong to the successor's subtree
    scoping.forget_visibility()
    return successor


def _load_predecessors(actor, ids) -> list[OrgUnit]:
    unique = list(dict.fromkeys(str(i) for i in ids if str(i).strip()))
    units = [permissions.get_visible_or_404(OrgUnit, i, actor) for i in unique]
    for unit in units:
        permissions.require(actor, "unit.merge", unit)
    if len(units) < 2:
        raise ValidationError("Cần chọn ít nhất hai đơn vị bị sáp nhập.", field="predecessors")
    return units


def _check_predecessors(units: list[OrgUnit], effective_on: date) -> None:
    for unit in units:
        if unit.parent_id is None:
            raise ValidationError(f"Không thể sáp nhập đơn vị gốc “{unit.name}”.", field="predecessors")
        if unit.successor_id is not None:
            raise ValidationError(f"“{unit.name}” đã được sáp nhập vào đơn vị khác trước đó.",
                                  field="predecessors")
        if unit.valid_to is not None:
            raise ValidationError(f"“{unit.name}” đã hết hiệu lực từ sau ngày {format_date(unit.valid_to)}: "
                                  "thời gian hiệu lực bị chồng lấn.", field="effective_on")
        if unit.valid_from is not None and effective_on <= unit.valid_from:
            raise ValidationError(f"Ngày sáp nhập phải sau ngày “{unit.name}” bắt đầu hiệu lực "
                                  f"({format_date(unit.valid_from)}).", field="effective_on")


def _merged_tree(predecessors: list[OrgUnit]) -> set[int]:
    """The predecessors, their descendants and everything already merged into them."""
    return set(db.session.execute(subtree_ids([u.id for u in predecessors])).scalars())


def _existing_successor(actor, successor_id, predecessors, effective_on: date) -> OrgUnit:
    successor = permissions.get_visible_or_404(OrgUnit, successor_id, actor)
    permissions.require(actor, "unit.merge", successor)
    if successor.id in {u.id for u in predecessors}:
        raise ValidationError("Đơn vị kế thừa không được nằm trong danh sách đơn vị bị sáp nhập.",
                              field="successor_id")
    if successor.successor_id is not None:
        raise ValidationError(f"“{successor.name}” đã được sáp nhập vào đơn vị khác, "
                              "không thể làm đơn vị kế thừa.", field="successor_id")
    if successor.id in _merged_tree(predecessors):
        raise ValidationError(f"“{successor.name}” thuộc đơn vị bị sáp nhập (trực thuộc hoặc đã sáp nhập vào "
                              "một trong các đơn vị đó): sáp nhập sẽ tạo vòng lặp.", field="successor_id")
    ensure_active(successor, "Đơn vị kế thừa")
    if successor.valid_from is not None and successor.valid_from > effective_on:
        raise ValidationError(f"“{successor.name}” chỉ có hiệu lực từ {format_date(successor.valid_from)}, "
                              "sau ngày sáp nhập.", field="effective_on")
    return successor


def _check_new_successor(actor, data: dict, predecessors) -> OrgUnit:
    if not nfc(data.get("code")) or not nfc(data.get("name")):
        raise ValidationError("Nhập mã và tên của đơn vị mới.", field="new_name")
    ensure_code_free(nfc(data["code"]))
    parent = permissions.get_visible_or_404(OrgUnit, data.get("parent_id"), actor)
    permissions.require(actor, "unit.manage", parent)
    ensure_active(parent, "Đơn vị cấp trên")
    if parent.id in _merged_tree(predecessors):
        raise ValidationError("Đơn vị cấp trên của đơn vị mới không được thuộc đơn vị bị sáp nhập: "
                              "sáp nhập sẽ tạo vòng lặp.", field="new_parent_id")
    return parent


def _record_successor(actor, successor, predecessors, effective_on, *, created: bool) -> None:
    after = {"predecessors": [u.code for u in predecessors], "effective_on": effective_on, "created": created}
    if created:
        after.update(unit_values(successor), parent_id=successor.parent_id, valid_from=successor.valid_from)
    audit.record(actor, "unit.merge_successor", "org_unit", successor.id, unit_id=successor.id, after=after)


def _end_predecessor(actor, unit: OrgUnit, successor: OrgUnit, effective_on: date) -> None:
    before = {"valid_to": unit.valid_to, "successor_id": unit.successor_id, "is_active": unit.is_active}
    unit.valid_to = effective_on - timedelta(days=1)
    unit.successor_id = successor.id
    unit.is_active = False
    audit.record(actor, "unit.merged", "org_unit", unit.id, unit_id=unit.id, before=before,
                 after={"valid_to": unit.valid_to, "successor_id": successor.id, "is_active": False})


def _move_memberships(actor, predecessors, successor: OrgUnit) -> None:
    """Every membership on a predecessor moves to the successor; one that would duplicate a
    role the user already holds there is removed instead."""
    ids = [u.id for u in predecessors]
    rows = db.session.execute(select(Membership).where(Membership.unit_id.in_(ids))
                              .order_by(Membership.id)).scalars().all()
    held = {(r.user_id, r.role) for r in db.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.unit_id == successor.id))}
    for row in rows:
        before = {"user_id": row.user_id, "unit_id": row.unit_id, "role": row.role}
        if (row.user_id, row.role) in held:
            db.session.delete(row)
            audit.record(actor, "membership.removed_by_merge", "membership", row.id,
                         unit_id=successor.id, before=before, after=None)
            continue
        held.add((row.user_id, row.role))
        row.unit = successor
        audit.record(actor, "membership.moved", "membership", row.id, unit_id=successor.id,
                     before=before, after={**before, "unit_id": successor.id})
    db.session.flush()


def _move_open_work(predecessors: list[OrgUnit], successor: OrgUnit) -> int:
    """Hand the predecessors' OPEN work to the successor; returns how many records moved.

    The one place a merge moves work. No work models exist yet; each feature that adds one
    (tasks, inspections not yet closed, remediation actions) adds its update here, inside the
    caller's unit of work, writing one audit event per record moved. Closed or accepted records
    keep their original unit: the successor sees them as history through `subtree_ids`."""
    return 0
