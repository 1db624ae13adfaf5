"""Who must use two-factor sign-in, and by when (ASVS 6.3.3).

Three sources: the roles of CCHC_2FA_ROLES (set by the operator: at once), the roles an
administrator chooses (two_factor_role, each since the moment it was chosen) and single users an
administrator asks (user_account.two_factor_required_since). A user without two-factor gets
TWO_FACTOR_GRACE_DAYS from the earliest of these moments; after that every page sends them to
enrol first (auth.steps.pending_step). The grace is for a new rule: someone given a chosen role later has
what is left of it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, or_, select

from models import Membership, TwoFactorRole, User, db, utcnow
from models.enums import Role

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..security import audit, permissions, scoping


@dataclass(frozen=True)
class Requirement:
    """Why a user must use two-factor sign-in, since when, and the end of their grace period
    (`since` and `due_at` None: a role of CCHC_2FA_ROLES, required at once)."""

    source: str  # "config", "role" or "user"
    since: datetime | None
    due_at: datetime | None

    def is_overdue(self, now: datetime) -> bool:
        return self.due_at is None or now >= self.due_at


def role_since_clause(user_id):
    """When the first of the user's chosen roles started to require it, as a column (read along
    with the session: no statement of its own on each page)."""
    return (select(func.min(TwoFactorRole.required_since))
            .join(Membership, Membership.role == TwoFactorRole.role).where(Membership.user_id == user_id))


def remember_role_since(user: User, since: datetime | None) -> None:
    """Keep the value of role_since_clause read with the session, for this request."""
    if has_request_context():
        g.two_factor_role_since = (user.id, since)


def _role_since(user: User) -> datetime | None:
    found = g.get("two_factor_role_since") if has_request_context() else None
    if found and found[0] == user.id:
        return found[1]
    return db.session.execute(role_since_clause(user.id)).scalar()


def requirement(user: User) -> Requirement | None:
    """Why and by when `user` must use two-factor sign-in; None when nothing requires it."""
    if user.roles & current_app.config["TWO_FACTOR_REQUIRED_ROLES"]:
        return Requirement("config", None, None)
    return _from(_role_since(user), user.two_factor_required_since)


def _from(role_since: datetime | None, user_since: datetime | None) -> Requirement | None:
    moments = [(m, source) for m, source in ((role_since, "role"), (user_since, "user")) if m is not None]
    if not moments:
        return None
    since, source = min(moments)
    return Requirement(source, since, since + timedelta(days=current_app.config["TWO_FACTOR_GRACE_DAYS"]))


def enrolment_overdue(user: User) -> bool:
    """Must the user, who has no second factor, enrol before anything else?"""
    found = None if user.totp_enabled else requirement(user)
    return found is not None and found.is_overdue(utcnow())


def grace_ends_at(user: User) -> datetime | None:
    """The end of the user's grace period while it runs (the pages' reminder), else None."""
    found = None if user.totp_enabled else requirement(user)
    return found.due_at if found and not found.is_overdue(utcnow()) else None


def chosen_roles() -> dict[str, datetime]:
    """The roles an administrator requires two-factor sign-in of, with the moment each was chosen."""
    return dict(db.session.execute(select(TwoFactorRole.role, TwoFactorRole.required_since)).all())


def set_required_roles(actor: User, roles: list[str]) -> None:
    """Require two-factor sign-in of exactly these roles (besides CCHC_2FA_ROLES); a newly chosen
    role starts its grace period now, one left out stops requiring it."""
    permissions.require(actor, "user.manage")
    if any(role not in set(Role) for role in roles):
        raise ValidationError("Vai trò không hợp lệ.", field="roles")
    wanted, before = set(roles) - current_app.config["TWO_FACTOR_REQUIRED_ROLES"], chosen_roles()
    with unit_of_work():
        db.session.execute(delete(TwoFactorRole).where(TwoFactorRole.role.not_in(wanted)))
        db.session.add_all(TwoFactorRole(role=role, set_by_id=actor.id) for role in wanted - set(before))
        audit.record(actor, "auth.two_factor_roles_set", "two_factor_role", "all",
                     before={"roles": sorted(before)}, after={"roles": sorted(wanted)})


def require_of_user(actor: User, user: User, required: bool) -> None:
    """Ask one user to use two-factor sign-in (the grace period starts now), or stop asking."""
    permissions.require(actor, "user.manage", user)
    if required == (user.two_factor_required_since is not None):
        return
    with unit_of_work():
        user.two_factor_required_since = utcnow() if required else None
        audit.record(actor, "user.two_factor_required" if required else "user.two_factor_not_required",
                     "user", user.id, after={"required": required})


def list_not_enrolled(actor: User, limit: int = 500) -> list[tuple[User, Requirement]]:
    """The active users the actor manages whom a rule requires two-factor sign-in of and who have
    not enrolled, the most overdue first (the administrators' report)."""
    config_roles = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    in_config = select(Membership.user_id).where(Membership.role.in_(config_roles or [""]))
    role_since = role_since_clause(User.id).scalar_subquery()
    stmt = (scoping.scope(select(User, User.id.in_(in_config), role_since), actor, User)
            .where(User.is_active, User.totp_enabled.is_(False),
                   or_(User.id.in_(in_config), role_since.is_not(None), User.two_factor_required_since.is_not(None)))
            .order_by(User.full_name_folded).limit(limit))
    rows = [(user, Requirement("config", None, None) if configured else _from(since, user.two_factor_required_since))
            for user, configured, since in db.session.execute(stmt)]
    return sorted(rows, key=lambda row: (row[1].due_at is not None, row[1].due_at or utcnow()))
