"""Administration of users: create, edit, deactivate, reactivate, reset the password."""

import re
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Membership, OrgUnit, User, db, utcnow
from models.enums import Role

from ..auth.password_policy import WeakPassword, check_new_password
from ..auth.passwords import hash_password
from ..auth.services import revoke_sessions
from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..inspections.team_rule import remove_insiders
from ..language.i18n import N_
from ..language.text import fold, nfc
from ..security import audit, permissions, scoping
from .devices import revoke_user_devices
from .units import check_version, ensure_active

USER_FIELDS = ("username", "honorific", "full_name", "title", "email")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
USERNAME_RULE = N_("Tên đăng nhập gồm 3–60 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.")
# A password hash no password matches: the account exists but has not been handed over yet.
UNUSABLE_PASSWORD = "!chua-cap-mat-khau"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def user_values(user: User) -> dict:
    """The editable fields of a user (memberships as text), for audit events and conflict pages."""
    values = {f: getattr(user, f) for f in USER_FIELDS}
    values["memberships"] = "; ".join(f"{m.role} @ {m.unit.code}" for m in user.memberships)
    return values


def temporary_password() -> str:
    """A random, readable one-time password such as "k7mq-2xwe-p9ra" (59 bits), held to the same
    policy as a chosen one (a draw it refuses is drawn again)."""
    while True:
        password = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        try:
            check_new_password(password)
        except WeakPassword:
            continue
        return password


def has_password(user: User) -> bool:
    """False for an account created by import and not yet handed over."""
    return not user.password_hash.startswith("!")


def clean_username(value: str) -> str:
    """The stored form of a username; ValidationError when it breaks the rule."""
    username = nfc(value).lower()
    if not USERNAME_RE.match(username):
        raise ValidationError(USERNAME_RULE, field="username")
    return username


def ensure_username_free(username: str, exclude_id: int | None = None) -> None:
    """Refuse a username another account already has."""
    stmt = select(User.id).where(User.username == username)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.execute(stmt).first():
        raise ValidationError(f"Tên đăng nhập “{username}” đã tồn tại. Hãy chọn tên khác.", field="username")


def resolve_memberships(actor, pairs) -> list[tuple[str, OrgUnit]]:
    """(role, unit) for each (role, unit id) pair, each unit one the actor sees (404 otherwise)."""
    resolved, seen = [], set()
    for role, unit_id in pairs:
        if not role or not unit_id:
            raise ValidationError("Mỗi dòng vai trò cần chọn cả vai trò và đơn vị.", field="memberships")
        if role not in set(Role):
            raise ValidationError("Vai trò không hợp lệ.", field="memberships")
        unit = permissions.get_visible_or_404(OrgUnit, unit_id, actor)
        permissions.require(actor, "user.manage", unit)
        ensure_active(unit)
        if role == Role.ADMIN and unit.parent_id is not None:
            raise ValidationError("Vai trò Quản trị hệ thống chỉ gán tại đơn vị gốc.", field="memberships")
        if (role, unit.id) not in seen:
            seen.add((role, unit.id))
            resolved.append((role, unit))
    if not resolved:
        raise ValidationError("Cần ít nhất một vai trò tại một đơn vị.", field="memberships")
    return resolved


def _apply(user: User, data: dict) -> None:
    user.username = clean_username(data["username"])
    user.full_name = nfc(data["full_name"])
    user.full_name_folded = fold(user.full_name)
    user.title = nfc(data.get("title") or "")
    if data.get("honorific", "") not in ("", "Ông", "Bà"):
        raise ValidationError("Danh xưng chỉ là Ông hoặc Bà.", field="honorific")
    user.honorific = data.get("honorific") or ""
    user.email = nfc(data.get("email") or "").lower()


def _set_memberships(user: User, resolved) -> None:
    wanted = {(role, unit.id) for role, unit in resolved}
    kept = [m for m in user.memberships if (m.role, m.unit_id) in wanted]
    have = {(m.role, m.unit_id) for m in kept}
    added = [Membership(role=role, unit=unit) for role, unit in resolved if (role, unit.id) not in have]
    user.memberships = kept + added


def create_user(actor, data: dict, pairs) -> tuple[User, str]:
    """Create a user with memberships and a temporary password (returned, shown once)."""
    permissions.require(actor, "user.manage")
    username = clean_username(data["username"])
    ensure_username_free(username)
    resolved = resolve_memberships(actor, pairs)
    password = temporary_password()
    user = User(password_hash=hash_password(password), must_change_password=True, is_active=True)
    _apply(user, data)
    _set_memberships(user, resolved)
    try:
        with unit_of_work():
            db.session.add(user)
            db.session.flush()
            audit.record(actor, "user.created", "user", user.id, unit_id=resolved[0][1].id,
                         after=user_values(user))
    except IntegrityError as exc:
        raise ValidationError(f"Tên đăng nhập “{username}” đã tồn tại. Hãy chọn tên khác.",
                              field="username") from exc
    return user, password


def update_user(actor, user: User, data: dict, pairs, *, version) -> User:
    """Edit a user's details and memberships; a stale save is a conflict."""
    permissions.require(actor, "user.manage", user)
    check_version(user, version, user_values(user))
    ensure_username_free(clean_username(data["username"]), exclude_id=user.id)
    resolved = resolve_memberships(actor, pairs)
    if user.id == actor.id and not any(role == Role.ADMIN for role, _ in resolved):
        raise ValidationError("Bạn không thể tự bỏ vai trò quản trị của chính mình.", field="memberships")
    before = user_values(user)
    with unit_of_work():
        _apply(user, data)
        _set_memberships(user, resolved)
        user.updated_at = utcnow()  # bumps the version even when only memberships change
        audit.record(actor, "user.updated", "user", user.id, before=before, after=user_values(user))
        db.session.flush()
        remove_insiders(actor)  # moved into a surprise inspection's target: off its team
    scoping.forget_visibility()
    return user


def deactivate_user(actor, user: User) -> int:
    """Stop a user (records stay) and end all their sessions; returns the sessions ended."""
    permissions.require(actor, "user.manage", user)
    if user.id == actor.id:
        raise ValidationError("Bạn không thể tự ngừng kích hoạt tài khoản của chính mình.")
    if not user.is_active:
        raise ValidationError("Tài khoản đã ngừng hoạt động.")
    with unit_of_work():
        user.is_active = False
        ended = revoke_sessions(user, "deactivated")
        devices = revoke_user_devices(actor, user, "deactivated")
        audit.record(actor, "user.deactivated", "user", user.id, before={"is_active": True},
                     after={"is_active": False, "sessions_ended": ended, "devices_revoked": devices})
    return ended


def reactivate_user(actor, user: User) -> None:
    """Let a stopped user sign in again."""
    permissions.require(actor, "user.manage", user)
    if user.is_active:
        raise ValidationError("Tài khoản đang hoạt động.")
    with unit_of_work():
        user.is_active = True
        audit.record(actor, "user.reactivated", "user", user.id, before={"is_active": False},
                     after={"is_active": True})


def reset_password(actor, user: User) -> str:
    """Give a user a temporary password (returned, shown once); they must change it at sign-in."""
    permissions.require(actor, "user.manage", user)
    if not user.is_active:
        raise ValidationError("Tài khoản đang ngừng hoạt động: hãy kích hoạt lại trước khi cấp mật khẩu.")
    password = temporary_password()
    with unit_of_work():
        user.password_hash = hash_password(password)
        user.must_change_password = True
        ended = revoke_sessions(user, "password_reset")
        devices = revoke_user_devices(actor, user, "password_reset")
        audit.record(actor, "user.password_reset", "user", user.id,
                     after={"must_change_password": True, "sessions_ended": ended, "devices_revoked": devices})
    return password
