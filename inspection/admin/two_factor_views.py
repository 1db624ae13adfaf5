"""Two-factor sign-in for the roles and users an administrator chooses, and the report of who has
not enrolled yet (auth/two_factor_policy.py)."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import User, utcnow

from ..auth import two_factor_policy
from ..errors import ValidationError
from ..security import permissions
from ..web.refused_forms import form_status, show_error
from . import bp
from .forms import TwoFactorRolesForm, UserTwoFactorForm


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def users_two_factor():
    """Choose the roles that must use two-factor sign-in; who has not enrolled, and by when."""
    permissions.require(current_user, "user.manage")
    chosen = two_factor_policy.chosen_roles()
    form = TwoFactorRolesForm(data={"roles": list(chosen)})
    if form.validate_on_submit():
        try:
            two_factor_policy.set_required_roles(current_user, form.roles.data)
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lưu các vai trò bắt buộc xác thực hai lớp."), "success")
            return redirect(url_for("admin.users_two_factor"), 303)
    rows = two_factor_policy.list_not_enrolled(current_user)
    return render_template("admin/users_two_factor.html", form=form, chosen=chosen, rows=rows, now=utcnow(),
                           configured=current_app.config["TWO_FACTOR_REQUIRED_ROLES"],
                           grace_days=current_app.config["TWO_FACTOR_GRACE_DAYS"],
                           overdue=sum(1 for _user, need in rows if need.is_overdue(utcnow()))), form_status()


@bp.route("/users/<int:user_id>/two-factor", methods=["POST"])
@login_required
@permissions.scoped_view(User, "user_id", "user.manage")
def require_user_two_factor(user: User):
    """Ask this user to use two-factor sign-in (after the grace period), or stop asking."""
    form = UserTwoFactorForm()
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ hoặc trang đã quá hạn; vui lòng tải lại trang."), "error")
    else:
        required = form.required.data == "1"
        two_factor_policy.require_of_user(current_user, user, required)
        flash(_("Đã yêu cầu %(name)s dùng xác thực hai lớp.", name=user.full_name) if required else
              _("Đã bỏ yêu cầu riêng về xác thực hai lớp của %(name)s.", name=user.full_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id), 303)
