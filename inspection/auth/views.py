"""Sign-in (password, then the second factor), sign-out, password change, language."""

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ValidationError
from ..language.formatting import format_datetime
from . import bp, second_factor, services
from .forms import ChangePasswordForm, LoginForm, RecoveryCodeForm, TotpCodeForm
from .password_policy import WeakPassword


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


def _refusal(exc) -> str:
    """A refused sign-in in the user's language; a lock with its name, address and end time."""
    if not exc.params:
        return _(exc.message)
    return _(exc.message, **(exc.params | {"until": format_datetime(exc.params["until"])}))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except services.SignInError as exc:
            flash(_refusal(exc), "error")
            return render_template("auth/login.html", form=form), 200
        row = services.start_session(user, request.remote_addr or "", request.user_agent.string)
        chosen = session.get("lang")  # a language picked on the sign-in page becomes the user's
        session.clear()
        if chosen and chosen != user.locale:
            services.set_locale(user, chosen)
        session["sid"] = row.id
        session["lang"] = user.locale
        login_user(user)
        if not row.is_second_factor_done:
            return redirect(url_for("auth.two_factor", next=request.args.get("next")))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """The second sign-in step: a code from the authenticator app or a recovery code."""
    if g.user_session.is_second_factor_done:
        return redirect(_safe_next(request.args.get("next")))
    code_form, recovery_form = TotpCodeForm(), RecoveryCodeForm()
    field = "recovery_code" if "recovery_code" in request.form else "code"
    form = recovery_form if field == "recovery_code" else code_form
    if request.method == "POST" and form.validate():
        try:
            second_factor.verify_second_factor(current_user, g.user_session, form[field].data,
                                               recovery=field == "recovery_code")
        except ValidationError as exc:
            form[field].errors.append(_(exc.message))
        else:
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/two_factor.html", code_form=code_form, recovery_form=recovery_form,
                           recovery=field == "recovery_code")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session."""
    services.end_session(current_user, session.get("sid", ""))
    logout_user()
    session.clear()  # a shared tablet: the next person starts in Vietnamese
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout-all", methods=["POST"])
@login_required
def logout_all():
    """End every session of the user, on every device."""
    services.sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất khỏi mọi thiết bị."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data,
                                     session_id=session.get("sid", ""))
        except WeakPassword as exc:
            form.new_password.errors.append(exc.text())
        except ValidationError as exc:
            getattr(form, exc.field).errors.append(_(exc.message))
        else:
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language (remembered per user)."""
    if code not in ("vi", "en"):
        return redirect(url_for("main.home"))
    session["lang"] = code
    if current_user.is_authenticated:
        services.set_locale(current_user, code)
    return redirect(_safe_next(request.form.get("next")))
