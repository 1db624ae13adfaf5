"""Two-factor sign-in (TOTP): enrolment, the second sign-in step, recovery codes, disabling.

Every code attempt is throttled per account in Redis (shared by all web processes) and audited.
A code is accepted once: its time step must be later than the last one used (`totp_last_step`),
claimed by one conditional UPDATE so two processes cannot both accept it."""

from flask import current_app
from sqlalchemy import delete, or_, select, update

from models import RecoveryCode, User, UserSession, db, utcnow

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..language.i18n import N_
from ..security import audit, permissions, security_events
from . import throttle, totp, two_factor_policy
from .passwords import check_password
from .services import SignInError, revoke_sessions

WRONG_CODE = N_("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiển thị trên ứng dụng xác thực.")
REPLAYED_CODE = N_("Mã này vừa được dùng. Vui lòng chờ ứng dụng xác thực hiện mã mới rồi nhập lại.")
WRONG_RECOVERY_CODE = N_("Mã khôi phục không đúng hoặc đã được dùng.")
TOO_MANY = N_("Nhập sai mã quá nhiều lần. Vui lòng thử lại sau ít phút.")
WRONG_PROOF = N_("Mật khẩu hoặc mã xác thực không đúng.")
REQUIRED = N_("Vai trò của bạn bắt buộc dùng xác thực hai lớp nên không thể tắt.")
NOT_STARTED = N_("Chưa có mã thiết lập, hoặc xác thực hai lớp đã bật. Vui lòng bắt đầu lại.")
NOT_ENABLED = N_("Xác thực hai lớp chưa được bật.")


class CodeRefused(SignInError):
    """A second-factor code (or the password standing in for one) was not accepted."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def is_required(user: User) -> bool:
    """Does a rule require two-factor sign-in of the user (two_factor_policy), grace period or not?"""
    return two_factor_policy.requirement(user) is not None


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI of the user's pending secret, for the QR code."""
    return totp.provisioning_uri(user.totp_secret, user.username, f"CCHC {current_app.config['PLACE_NAME']}")


def start_enrolment(user: User) -> None:
    """Give the user a fresh secret, not yet in force (it replaces an unconfirmed one)."""
    if user.totp_enabled:
        raise ValidationError("Xác thực hai lớp đã được bật.")
    with unit_of_work():
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
        audit.record(user, "auth.totp_enrolment_started", "user", user.id)


def confirm_enrolment(user: User, user_session, code: str) -> list[str]:
    """Turn two-factor on once the app gives a right code; returns the recovery codes (shown
    once). The user's other sessions end: they were opened without the second factor."""
    if user.totp_enabled or not user.totp_secret:
        raise ValidationError(NOT_STARTED)

    def work():
        _claim_code(user, code)
        user.totp_enabled = True
        user_session.is_second_factor_done = True
        codes = _replace_recovery_codes(user)
        ended = revoke_sessions(user, "totp_enabled", except_id=user_session.id)
        audit.record(user, "auth.totp_enabled", "user", user.id, after={"other_sessions_ended": ended})
        return codes

    return _guarded(user, "auth.totp_enrolment_failed", work)


def verify_second_factor(user: User, user_session, code: str, *, recovery: bool = False) -> None:
    """Finish signing in with the app's current code or, with `recovery`, an unused recovery code."""
    if not user.totp_enabled:
        raise ValidationError(NOT_ENABLED)

    def work():
        method = _use_recovery_code(user, code) if recovery else _claim_code(user, code)
        user_session.is_second_factor_done = True
        audit.record(user, "auth.second_factor_passed", "user", user.id, after=method)

    _guarded(user, "auth.second_factor_failed", work)


def disable(user: User, proof: str) -> None:
    """Turn two-factor off, given the password or a current code; refused where a role needs it."""
    if is_required(user):
        raise ValidationError(REQUIRED)
    if not user.totp_enabled:
        raise ValidationError(NOT_ENABLED)

    def work():
        _prove(user, proof)
        user.totp_enabled, user.totp_secret, user.totp_last_step = False, None, None
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        # a sign-in stopped at the code step must not become whole now that no code is asked
        db.session.execute(update(UserSession).where(
            UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
            UserSession.is_second_factor_done.is_(False)).values(revoked_at=utcnow(), revoked_reason="totp_disabled"))
        audit.record(user, "auth.totp_disabled", "user", user.id)

    _guarded(user, "auth.totp_disable_failed", work)


def regenerate_recovery_codes(user: User, proof: str) -> list[str]:
    """New recovery codes, given the password or a current code; the old ones stop working."""
    if not user.totp_enabled:
        raise ValidationError(NOT_ENABLED)

    def work():
        _prove(user, proof)
        codes = _replace_recovery_codes(user)
        audit.record(user, "auth.recovery_codes_regenerated", "user", user.id)
        return codes

    return _guarded(user, "auth.recovery_codes_failed", work)


def reset_two_factor(actor, user: User) -> None:
    """An administrator turns a user's two-factor sign-in off (phone and recovery codes lost); the
    user's sessions end, and a role that requires it enrols again at the next sign-in."""
    permissions.require(actor, "user.manage", user)
    with unit_of_work():
        user.totp_enabled, user.totp_secret, user.totp_last_step = False, None, None
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        ended = revoke_sessions(user, "two_factor_reset")
        audit.record(actor, "auth.totp_reset", "user", user.id, after={"sessions_ended": ended})


def _guarded(user: User, failure_action: str, work):
    """Run `work` in one unit of work unless throttled; count and audit a refused code."""
    try:
        if throttle.second_factor_blocked(user.id):
            raise CodeRefused(TOO_MANY, "throttled")
        with unit_of_work():
            result = work()
    except CodeRefused as exc:
        _record_failure(user, failure_action, exc.reason)
        raise
    throttle.clear_second_factor(user.id)
    return result


def _record_failure(user: User, action: str, reason: str) -> None:
    if reason != "throttled":
        throttle.record_second_factor_failure(user.id)
    else:
        security_events.note("sign_in_throttled", target="second factor", username=user.username)
    with unit_of_work():
        audit.record(user, action, "user", user.id, after={"reason": reason})


def _prove(user: User, proof: str) -> None:
    if totp.looks_like_totp(proof):
        _claim_code(user, proof)
    elif not check_password(user.password_hash, proof or ""):
        raise CodeRefused(WRONG_PROOF, "wrong_password")


def _claim_code(user: User, code: str) -> dict:
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        raise CodeRefused(WRONG_CODE, "wrong_code")
    stmt = (update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step, version=User.version + 1)
            .execution_options(synchronize_session="fetch"))
    if db.session.execute(stmt).rowcount != 1:
        raise CodeRefused(REPLAYED_CODE, "replayed_code")
    return {"method": "totp"}


def _use_recovery_code(user: User, code: str) -> dict:
    unused = db.session.execute(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalars().all()
    match = totp.looks_like_recovery_code(code) and next(
        (row for row in unused if totp.recovery_code_matches(row.code_hash, code)), None)
    if not match:
        raise CodeRefused(WRONG_RECOVERY_CODE, "wrong_recovery_code")
    claimed = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise CodeRefused(WRONG_RECOVERY_CODE, "replayed_recovery_code")
    audit.record(user, "auth.recovery_code_used", "user", user.id, after={"remaining": len(unused) - 1})
    return {"method": "recovery_code", "remaining": len(unused) - 1}


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes)
    return codes
