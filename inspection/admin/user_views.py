"""Administration pages: users (list, create, edit, deactivate, reactivate, reset password)."""

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from models import Membership, OrgUnit, User
from models.enums import Role

from ..auth import two_factor_policy
from ..errors import Conflict, ValidationError
from ..language.text import fold
from ..security import permissions, scoping
from ..web.listing import paginate
from ..web.refused_forms import form_status, show_error
from . import bp, services
from .forms import ActionForm, UserForm

USER_SORTS = {"name": (User.full_name_folded, False), "username": (User.username, False),
              "newest": (User.created_at, True)}
BLANK_MEMBERSHIP_ROWS = 2


def _filtered_users(args):
    """The users the actor sees, narrowed by the list's search and filters."""
    stmt = scoping.scope(select(User), current_user, User)
    q = fold(args.get("q", ""))
    if q:
        stmt = stmt.where(or_(User.full_name_folded.contains(q, autoescape=True),
                              User.username.contains(q, autoescape=True)))
    conditions = []
    if args.get("unit"):
        unit = permissions.get_visible_or_404(OrgUnit, args["unit"], current_user)
        conditions.append(Membership.unit_id == unit.id)
    if args.get("role") in set(Role):
        conditions.append(Membership.role == args["role"])
    if conditions:
        stmt = stmt.where(User.id.in_(select(Membership.user_id).where(*conditions)))
    if args.get("active") in ("1", "0"):
        stmt = stmt.where(User.is_active.is_(args["active"] == "1"))
    return stmt


@bp.route("/users")
@login_required
@permissions.body_ids(unit=OrgUnit)
def users():
    """Users the actor sees: search without diacritics, filter by unit, role and status."""
    permissions.require(current_user, "user.view")
    args = {key: request.args.get(key, "") for key in ("q", "unit", "role", "active")}
    page = paginate(_filtered_users(args), sorts=USER_SORTS, sort=request.args.get("sort", "name"),
                    cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    page.args.update(args)
    return render_template("admin/users.html", page=page, has_password=services.has_password,
                           unit_choices=services.unit_choices(current_user, active_only=False))


def _prepare(form: UserForm) -> UserForm:
    """Fill the membership rows' choices and leave a few blank rows to add roles."""
    filled = sum(1 for e in form.memberships if e.form.role.data or e.form.unit_id.data)
    while len(form.memberships) < min(filled + BLANK_MEMBERSHIP_ROWS, form.memberships.max_entries):
        form.memberships.append_entry()
    units = [SelectChoice("", _("— Chọn đơn vị —"))] + services.unit_choices(current_user)
    for entry in form.memberships:
        entry.form.unit_id.choices = units
    return form


def _password_page(user: User, password: str, *, created: bool):
    """The one page that ever shows a temporary password; never cached."""
    response = make_response(render_template("admin/temporary_password.html", user=user,
                                             password=password, created=created))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    """Create a user with one or more roles; the temporary password is shown once."""
    permissions.require(current_user, "user.manage")
    form = _prepare(UserForm())
    if form.validate_on_submit():
        try:
            user, password = services.create_user(current_user, form.data, form.membership_pairs())
        except ValidationError as exc:
            show_error(form, exc)
        else:
            return _password_page(user, password, created=True)
    return render_template("admin/user_form.html", form=form, user=None, current=None), form_status()


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(User, "user_id", "user.manage")
def edit_user(user: User):
    """Edit a user; a stale save shows the current values instead of overwriting them."""
    form = _prepare(UserForm(obj=user))
    current = None
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, form.data, form.membership_pairs(), version=form.version.data)
        except Conflict as exc:
            flash(_(exc.message), "error")
            current = exc.current
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lưu người dùng %(name)s.", name=user.full_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 409 if current else form_status()
    return render_template("admin/user_form.html", form=form, user=user, current=current,
                           action_form=ActionForm(), has_password=services.has_password(user),
                           two_factor=two_factor_policy.requirement(user)), status


def _do(service, user: User, done: str):
    try:
        service(current_user, user)
    except ValidationError as exc:
        flash(_(exc.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
@permissions.scoped_view(User, "user_id", "user.manage")
def deactivate_user(user: User):
    """Stop a user; every session of theirs ends at once."""
    return _do(services.deactivate_user, user,
               _("Đã ngừng kích hoạt tài khoản %(name)s; mọi phiên đăng nhập đã kết thúc.", name=user.full_name))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
@permissions.scoped_view(User, "user_id", "user.manage")
def reactivate_user(user: User):
    """Let a stopped user sign in again."""
    return _do(services.reactivate_user, user, _("Đã kích hoạt lại tài khoản %(name)s.", name=user.full_name))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@login_required
@permissions.scoped_view(User, "user_id", "user.manage")
def reset_user_password(user: User):
    """Issue a temporary password, shown once; the user must change it at next sign-in."""
    try:
        password = services.reset_password(current_user, user)
    except ValidationError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _password_page(user, password, created=False)
