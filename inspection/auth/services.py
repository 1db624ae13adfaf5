"""Signing in and out, server-side sessions and their revocation, password changes."""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from models import CATALOG_ROW, CatalogVersion, User, UserSession, db, utcnow

from ..data import catalog
from ..data.transaction import unit_of_work
from ..errors import NotFound, ValidationError
from ..language.i18n import N_
from ..language.text import nfc
from ..main import notifications
from ..security import audit, security_events
from . import throttle, two_factor_policy
from .password_policy import check_new_password
from .passwords import check_password, hash_password, needs_rehash
from .queries import SECOND_FACTOR_WINDOW, list_active_sessions, session_expires_at, session_handle

# One message for a wrong password, an unknown or inactive account: the answer never tells whether
# the account exists. A lock says so and until when (unknown names are locked alike, so it tells
# nothing more); the user with the right password is not left believing they mistyped it.
BAD_CREDENTIALS = N_("Tên đăng nhập hoặc mật khẩu không đúng. Nếu nhập sai nhiều lần liên tiếp, "
                      "việc đăng nhập sẽ tạm bị khóa trong ít phút.")
LOCKED = {
    throttle.ACCOUNT: N_("Tài khoản “%(name)s” tạm bị khóa đăng nhập do nhập sai mật khẩu nhiều lần liên tiếp. "
                         "Vui lòng thử lại sau %(until)s."),
    throttle.ADDRESS: N_("Máy tính hoặc mạng của bạn (địa chỉ %(address)s) tạm bị khóa đăng nhập do có nhiều lần "
                         "đăng nhập sai với nhiều tài khoản khác nhau. Vui lòng thử lại sau %(until)s."),
}
_SEEN_EVERY = timedelta(minutes=5)
# the session, its user, the user's memberships, the bell's figure, the catalog version and when a
# chosen role began to require two-factor sign-in of the user in one
# statement (every page needs them); built once, the session id bound when it runs
_SESSION = (select(UserSession, User, notifications.unread_clause(UserSession.user_id).scalar_subquery(),
                   select(CatalogVersion.version).where(CatalogVersion.id == CATALOG_ROW).scalar_subquery(),
                   two_factor_policy.role_since_clause(UserSession.user_id).scalar_subquery())
            .join(User, User.id == UserSession.user_id).options(joinedload(User.memberships))
            .where(UserSession.id == bindparam("session_id")))


class SignInError(ValidationError):
    """One message for a wrong password, an unknown or an inactive account; or the lock, with
    `params` for its placeholders (the name, the address, until when)."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.params = params


def _locked_error(locked, username: str, address: str) -> SignInError:
    which, until = locked
    return SignInError(LOCKED[which], name=nfc(username)[:60], address=address, until=until)


def _find_user(username: str) -> User | None:
    stmt = select(User).where(User.username == nfc(username).lower())
    return db.session.execute(stmt).scalar_one_or_none()


def authenticate(username: str, password: str, address: str) -> User:
    """The active user with these credentials; SignInError otherwise (throttled per account and
    per address; a failure never tells whether the account exists)."""
    if locked := throttle.locked(username, address):
        check_password(None, password)  # the same work as any other refusal
        _record_failure(username, address, "throttled")
        security_events.note("sign_in_throttled", username=nfc(username))
        raise _locked_error(locked, username, address)
    user = _find_user(username)
    if not check_password(user.password_hash if user else None, password) or not user.is_active:
        throttle.record_failure(username, address)
        _record_failure(username, address, "bad_credentials" if not user or user.is_active else "inactive")
        if locked := throttle.locked(username, address):  # this failure set the lock in
            raise _locked_error(locked, username, address)
        raise SignInError(BAD_CREDENTIALS)
    throttle.clear_account(username)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _record_failure(username: str, address: str, reason: str) -> None:
    with unit_of_work():
        audit.record(None, "auth.login_failed", "user", nfc(username)[:60],
                     after={"reason": reason, "address": address})


def start_session(user: User, address: str, user_agent: str) -> UserSession:
    """Open a server-side session for a user who passed the password step."""
    with unit_of_work():
        row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, ip_address=address[:64],
                          user_agent=user_agent[:300],
                          is_second_factor_done=not user.totp_enabled)
        db.session.add(row)
        audit.record(user, "auth.login", "user", user.id,
                     after={"address": address, "second_factor": "pending" if user.totp_enabled else "none"})
    return row


def load_session(session_id: str | None, user_id: str) -> tuple[User, UserSession] | None:
    """The user and session behind a cookie, or None if ended, revoked, idle, past its absolute
    lifetime or deactivated."""
    if not session_id:
        return None
    found = db.session.execute(_SESSION, {"session_id": session_id}).unique().first()
    if found is None:
        return None
    row, user, unread_count, catalog_version, two_factor_role_since = found
    if row.revoked_at is not None or str(row.user_id) != user_id:
        return None
    now = utcnow()
    if now - row.last_seen_at > timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]):
        return None
    if now >= session_expires_at(row):
        return None
    if not row.is_second_factor_done and now - row.created_at > SECOND_FACTOR_WINDOW:
        return None
    if not user.is_active:
        return None
    notifications.remember_unread(user, unread_count)
    two_factor_policy.remember_role_since(user, two_factor_role_since)
    catalog.remember_version(catalog_version)
    if now - row.last_seen_at > _SEEN_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return user, row


def end_session(user: User, session_id: str) -> None:
    """Sign out of this session only."""
    with unit_of_work():
        db.session.execute(update(UserSession).where(
            UserSession.id == session_id, UserSession.revoked_at.is_(None)
        ).values(revoked_at=utcnow(), revoked_reason="logout"))
        audit.record(user, "auth.logout", "user", user.id)


def end_session_by_handle(user: User, handle: str) -> UserSession:
    """End one of the user's own open sessions, named by its public handle (NotFound otherwise)."""
    row = next((r for r in list_active_sessions(user) if session_handle(r.id) == handle), None)
    if row is None:
        raise NotFound("Không tìm thấy phiên đăng nhập này, hoặc phiên đã kết thúc.")
    with unit_of_work():
        row.revoked_at, row.revoked_reason = utcnow(), "ended_by_user"
        audit.record(user, "auth.session_ended", "user", user.id,
                     after={"address": row.ip_address, "user_agent": row.user_agent})
    return row


def revoke_sessions(user: User, reason: str, *, except_id: str | None = None) -> int:
    """End every session of `user` (inside the caller's unit of work); returns how many."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if except_id:
        stmt = stmt.where(UserSession.id != except_id)
    result = db.session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason))
    return result.rowcount


def sign_out_everywhere(user: User) -> None:
    """End all of the user's sessions, this one included."""
    with unit_of_work():
        count = revoke_sessions(user, "logout_all")
        audit.record(user, "auth.logout_all", "user", user.id, after={"sessions": count})


def change_password(user: User, current: str, new: str, *, session_id: str) -> None:
    """Change one's own password; every other session of the user ends."""
    if not check_password(user.password_hash, current):
        raise ValidationError("Mật khẩu hiện tại không đúng.", field="current_password")
    if current == new:
        raise ValidationError("Mật khẩu mới phải khác mật khẩu hiện tại.", field="new_password")
    check_new_password(new, personal=(user.username, user.full_name, user.email))
    with unit_of_work():
        user.password_hash = hash_password(new)
        user.must_change_password = False
        revoke_sessions(user, "password_changed", except_id=session_id)
        audit.record(user, "auth.password_changed", "user", user.id)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError("Ngôn ngữ không được hỗ trợ.")
    with unit_of_work():
        user.locale = locale
