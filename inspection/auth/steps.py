"""The step a signed-in user must finish before anything else (app.py asks before every request)."""

from flask import has_request_context, request

from . import two_factor_policy

# The pages that belong to a step besides the step's own endpoint (the QR code of enrolment).
_STEP_PAGES = {
    "auth.enrol_totp": {"auth.start_totp", "auth.totp_qr"},
}


def pending_step(user, user_session) -> str | None:
    """The endpoint a signed-in user must finish before anything else, if any: the second factor
    of this sign-in, then a password change an administrator asked for, then enrolment in
    two-factor sign-in once a rule requires it and its grace period is over (two_factor_policy).
    None while on that step's pages."""
    step = _required_step(user, user_session)
    if step and has_request_context() and request.endpoint in _STEP_PAGES.get(step, ()):
        return None
    return step


def _required_step(user, user_session) -> str | None:
    if user.totp_enabled and not (user_session and user_session.is_second_factor_done):
        return "auth.two_factor"
    if user.must_change_password:
        return "auth.change_password"
    if two_factor_policy.enrolment_overdue(user):
        return "auth.enrol_totp"
    return None
