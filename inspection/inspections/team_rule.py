"""Who may sit on an inspection team (DESIGN.md "Kinds of inspection"): nobody who belongs to the
inspected unit or its subtree (units merged into it included) is a member or lead of a surprise
inspection of it. The one place every path that puts people on a team calls — scheduling one
inspection or an annual plan, changing the team, starting on site (page and API) — and the admin's
changes of memberships and units, which take a person now inside the target off its team.
A scheduled or thematic inspection only gets a warning: conflict of interest is the leader's call."""

from sqlalchemy import select

from models import Inspection, InspectionChange, InspectionMember, Membership, OrgUnit, User, db
from models.enums import InspectionKind, InspectionStatus, NotificationKind, Role
from models.org import subtree_ids, subtree_sets

from ..errors import ValidationError
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..security import audit
from ..web.links import path_for

# A team can still change (and so must still hold the rule) until the minutes are closed.
OPEN_TEAM = (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS)


def insiders(target_id: int, user_ids) -> list[User]:
    """The users among `user_ids` with a membership on the target unit, a unit under it or a unit
    merged into it, by name."""
    if not user_ids:
        return []
    inside = select(Membership.user_id).where(Membership.unit_id.in_(subtree_ids([target_id], "insider")))
    stmt = (select(User).where(User.id.in_(list(user_ids)), User.id.in_(inside))
            .order_by(User.full_name_folded, User.id))
    return list(db.session.execute(stmt).scalars())


def inside_of(target_ids, user_ids) -> dict[int, list[int]]:
    """Each of `user_ids` → the targets among `target_ids` they are insiders of (insiders() per
    target, in two statements): the new-inspection form marks its candidates with them."""
    subtrees = subtree_sets(list(target_ids))
    found: dict[int, list[int]] = {}
    rows = db.session.execute(select(Membership.user_id, Membership.unit_id)
                              .where(Membership.user_id.in_(list(user_ids)))) if user_ids else ()
    for user_id, unit_id in rows:
        for target, units in subtrees.items():
            if unit_id in units and target not in found.setdefault(user_id, []):
                found[user_id].append(target)
    return {user_id: sorted(targets) for user_id, targets in found.items() if targets}


def _names(users: list[User]) -> str:
    return ", ".join(u.full_name for u in users)


def check_team(kind: str, target: OrgUnit, user_ids) -> list[User]:
    """Refuse a surprise inspection's team holding anyone from its target; for any other kind
    return those people, for the caller to warn about."""
    found = insiders(target.id, user_ids)
    if found and kind == InspectionKind.SURPRISE:
        field = "lead_id" if user_ids and found[0].id == list(user_ids)[0] else "member_ids"
        message = (f"{_names(found)} thuộc {target.name} (đơn vị được kiểm tra hoặc đơn vị trực thuộc): không "
                   "được tham gia đoàn kiểm tra đột xuất đơn vị này.")  # names a person: not in the catalog
        raise ValidationError(message, field=field)
    return found


def conflicted(inspection: Inspection) -> tuple[OrgUnit | None, str]:
    """(target, names) when a scheduled or thematic inspection's team holds people from its target,
    for the page to warn about; (None, "") otherwise."""
    if inspection.kind == InspectionKind.SURPRISE:
        return None, ""
    found = insiders(inspection.unit_id, [m.user_id for m in inspection.members])
    return (db.session.get(OrgUnit, inspection.unit_id), _names(found)) if found else (None, "")


def remove_insiders(actor) -> list[tuple[Inspection, list[User]]]:
    """After memberships or units changed (inside the caller's unit of work): take off every open
    surprise inspection's team whoever now belongs to its target, audited; the ordering unit's
    coordinators and whoever ordered it are told — never the person removed (that would tip off
    the target)."""
    stmt = (select(Inspection).join(InspectionMember, InspectionMember.inspection_id == Inspection.id)
            .where(Inspection.kind == InspectionKind.SURPRISE, Inspection.status.in_(OPEN_TEAM))
            .distinct().order_by(Inspection.id))
    removed = []
    for inspection in db.session.execute(stmt).scalars():
        found = insiders(inspection.unit_id, [m.user_id for m in inspection.members])
        if found:
            _take_off(actor, inspection, found)
            removed.append((inspection, found))
    return removed


def _take_off(actor, inspection: Inspection, found: list[User]) -> None:
    before = sorted(m.user_id for m in inspection.members)
    gone = {u.id for u in found}
    inspection.members = [m for m in inspection.members if m.user_id not in gone]
    db.session.flush()
    after = sorted(m.user_id for m in inspection.members)
    reason = f"{_names(found)} nay thuộc đơn vị được kiểm tra: rút khỏi đoàn kiểm tra đột xuất."
    db.session.add(InspectionChange(inspection_id=inspection.id, kind="team", before={"team": before},
                                    after={"team": after}, reason=reason, changed_by_id=actor.id))
    audit.record(actor, "inspection.team_member_removed", "inspection", inspection.id, unit_id=inspection.unit_id,
                 before={"team": before}, after={"team": after, "reason": reason})
    told = set(unit_members([inspection.ordering_unit_id], [Role.COORDINATOR])) | {inspection.created_by_id}
    notify(sorted(told - gone - {None}), NotificationKind.SYSTEM,
           N_("Rút %(names)s khỏi đoàn kiểm tra đột xuất “%(title)s”: người này nay thuộc đơn vị được kiểm tra. "
              "Bổ sung đoàn kiểm tra nếu cần."),
           path_for("inspections.change_team", inspection_id=inspection.id),
           params={"names": _names(found), "title": inspection.title[:150]})
