"""The account security page: open sessions, two-factor sign-in and its recovery codes."""

from flask import Response, abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..errors import ValidationError
from . import bp, queries, second_factor, services, totp
from .forms import ProofForm, TotpCodeForm

_NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/account/security")
@login_required
def security():
    """The user's open sessions, with a way to end each, and the state of two-factor sign-in."""
    current_sid = session.get("sid")
    rows = sorted(queries.list_active_sessions(current_user), key=lambda row: row.id != current_sid)
    return render_template(
        "auth/security.html", sessions=rows,
        current_sid=current_sid, handle=queries.session_handle, describe=queries.describe_agent,
        expires_at=queries.session_expires_at, max_days=current_app.config["SESSION_MAX_DAYS"],
        required=second_factor.is_required(current_user),
        unused_codes=queries.count_unused_recovery_codes(current_user))


@bp.route("/account/sessions/<handle>/end", methods=["POST"])
@login_required
def end_session(handle: str):
    """End one of the user's own sessions; ending this one signs out."""
    row = services.end_session_by_handle(current_user, handle)
    if row.id == session.get("sid"):
        logout_user()
        session.clear()
        flash(_("Bạn đã đăng xuất."), "info")
        return redirect(url_for("auth.login"))
    flash(_("Đã kết thúc phiên đăng nhập trên %(device)s.", device=queries.describe_agent(row.user_agent)),
          "success")
    return redirect(url_for("auth.security"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def enrol_totp():
    """Set up two-factor sign-in: scan the QR code, then confirm with a code from the app."""
    if current_user.totp_enabled:
        return redirect(url_for("auth.security"))
    form = TotpCodeForm()
    if current_user.totp_secret and form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(current_user, g.user_session, form.code.data)
        except ValidationError as exc:
            form.code.errors.append(_(exc.message))
        else:
            return _show_recovery_codes(codes, _("Đã bật xác thực hai lớp."))
    secret = current_user.totp_secret
    return render_template("auth/enrol_totp.html", form=form, secret=totp.grouped(secret) if secret else None,
                           required=second_factor.is_required(current_user)), 200, _NO_STORE


@bp.route("/account/two-factor/start", methods=["POST"])
@login_required
def start_totp():
    """Create a new secret for the authenticator app (not in force until confirmed)."""
    second_factor.start_enrolment(current_user)
    return redirect(url_for("auth.enrol_totp"))


@bp.route("/account/two-factor/qr.svg")
@login_required
def totp_qr():
    """The QR code of the secret being set up, as SVG (never once two-factor is on)."""
    if current_user.totp_enabled or not current_user.totp_secret:
        abort(404)
    svg = totp.qr_svg(second_factor.provisioning_uri(current_user))
    return Response(svg, mimetype="image/svg+xml", headers=_NO_STORE)


@bp.route("/account/two-factor/disable", methods=["GET", "POST"])
@login_required
def disable_totp():
    """Turn two-factor sign-in off, confirmed by the password or a current code."""
    if not current_user.totp_enabled:
        return redirect(url_for("auth.security"))
    form = ProofForm()
    if form.validate_on_submit():
        try:
            second_factor.disable(current_user, form.proof.data)
        except ValidationError as exc:
            form.proof.errors.append(_(exc.message))
        else:
            flash(_("Đã tắt xác thực hai lớp. Các mã khôi phục cũ không còn dùng được."), "success")
            return redirect(url_for("auth.security"))
    return render_template("auth/disable_totp.html", form=form,
                           required=second_factor.is_required(current_user))


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """Issue a new set of recovery codes, confirmed by the password or a current code."""
    if not current_user.totp_enabled:
        return redirect(url_for("auth.security"))
    form = ProofForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.regenerate_recovery_codes(current_user, form.proof.data)
        except ValidationError as exc:
            form.proof.errors.append(_(exc.message))
        else:
            return _show_recovery_codes(codes, _("Đã tạo bộ mã khôi phục mới. Các mã cũ không còn dùng được."))
    return render_template("auth/regenerate_codes.html", form=form,
                           unused_codes=queries.count_unused_recovery_codes(current_user))


def _show_recovery_codes(codes: list[str], message: str):
    return render_template("auth/recovery_codes.html", codes=codes, message=message), 200, _NO_STORE
