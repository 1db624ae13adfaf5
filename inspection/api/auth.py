"""Who calls the sync API: the browser session (with its CSRF token), or a registered device's
`Authorization: Bearer <token>` (no CSRF: the token is not sent by the browser on its own).

Either way the view runs as that user through the same service functions. A revoked or unknown
token is a 401 with a JSON error and `code: "device_revoked"`; nothing runs and nothing is stored.
Of the steps a session must finish first (inspection/auth/__init__.py), a password change an
administrator asked for also stops a token (401, `code: "password_change_required"`, until the user
changes it by signing in); the second factor was done when the device was registered, and a
password reset or a deactivation revokes the user's devices anyway (admin/users.py)."""

from flask import g, jsonify, request
from flask_wtf.csrf import CSRFError

from ..admin.devices import authenticate_device
from ..errors import NotFound
from ..extensions import csrf
from ..security import ratelimit, security_events
from . import bp

csrf.exempt(bp)  # checked below, for session callers only


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@bp.before_request
def authenticate():
    """A bearer token signs the request in as its device's user; otherwise the session and CSRF rule."""
    token = _bearer()
    if token is None:
        csrf.protect()
        return ratelimit.limit_request("api")
    try:
        device = authenticate_device(token)
    except NotFound as exc:
        return jsonify({"error": exc.message, "code": "device_revoked"}), 401
    if device.user.must_change_password:  # the step a session would be sent to first
        return jsonify({"error": "Tài khoản phải đổi mật khẩu trước khi đồng bộ: đăng nhập trên máy này, đổi mật "
                                 "khẩu rồi đồng bộ lại; dữ liệu vẫn được giữ trên máy.",
                        "code": "password_change_required"}), 401
    g._login_user, g.device = device.user, device  # flask-login's current_user for this request only
    return ratelimit.limit_request("api")


@bp.errorhandler(CSRFError)
def csrf_error(exc: CSRFError):
    """A missing or expired CSRF token: the tablet fetches a fresh one and sends the item again."""
    security_events.note("csrf", exc.description)
    return jsonify({"error": "Mã bảo vệ biểu mẫu (CSRF) đã hết hạn: tải mã mới rồi gửi lại.",
                    "code": "csrf", "reason": exc.description}), 400
