"""Who hears about a task: the members of a unit by role."""

from sqlalchemy import select

from models import Membership, User, db
from models.enums import Role


def unit_members(unit_ids, roles=(Role.UNIT_OFFICER, Role.UNIT_HEAD)) -> list[int]:
    """Active users holding one of `roles` on one of `unit_ids`."""
    stmt = (select(Membership.user_id).join(User, User.id == Membership.user_id)
            .where(Membership.unit_id.in_(list(unit_ids)), Membership.role.in_(list(roles)), User.is_active))
    return sorted(set(db.session.execute(stmt).scalars()))


def task_unit_members(task, roles=(Role.UNIT_OFFICER, Role.UNIT_HEAD)) -> list[int]:
    return unit_members([task.unit_id], roles)
