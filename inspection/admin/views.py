"""Administration pages: units (list, detail, create, edit, deactivate, reactivate)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from models import OrgUnit

from ..errors import Conflict, ValidationError
from ..security import permissions, scoping
from ..web.listing import paginate
from ..web.refused_forms import form_status, show_error
from . import bp, services
from .forms import ActionForm, DeactivateUnitForm, NewUnitForm, UnitForm

UNIT_SORTS = {"name": (OrgUnit.name_folded, False), "code": (OrgUnit.code, False),
              "newest": (OrgUnit.created_at, True)}


@bp.route("/units")
@login_required
def units():
    """Units the user sees, searchable without diacritics."""
    stmt = scoping.scope(select(OrgUnit), current_user, OrgUnit)
    page = paginate(stmt, sorts=UNIT_SORTS, sort=request.args.get("sort", "name"),
                    cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"],
                    search_column=OrgUnit.name_folded, q=request.args.get("q", ""))
    return render_template("admin/units.html", page=page)


@bp.route("/units/<int:unit_id>")
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.view")
def unit_detail(unit: OrgUnit):
    """One unit: its children, members, predecessors and successor."""
    return render_template("admin/unit_detail.html", unit=unit, action_form=ActionForm(),
                           **services.unit_detail(unit))


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(parent=OrgUnit, parent_id=OrgUnit)
def new_unit():
    """Create a unit under a unit the administrator sees."""
    permissions.require(current_user, "unit.manage")
    form = NewUnitForm(parent_id=request.args.get("parent", ""))
    form.parent_id.choices = [SelectChoice("", _("— Chọn đơn vị cấp trên —"))] + services.unit_choices(current_user)
    if form.validate_on_submit():
        try:
            unit = services.create_unit(current_user, form.data, parent_id=form.parent_id.data)
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã thêm đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
    return render_template("admin/edit_unit.html", form=form, unit=None, current=None), form_status()


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.manage")
def edit_unit(unit: OrgUnit):
    """Edit one unit; a stale save shows the current values instead of overwriting them."""
    form = UnitForm(obj=unit)
    current = None
    if form.validate_on_submit():
        try:
            services.update_unit(current_user, unit, form.data, version=form.version.data)
        except Conflict as exc:
            flash(_(exc.message), "error")
            current = exc.current
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lưu đơn vị."), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
    status = 409 if current else form_status()
    return render_template("admin/edit_unit.html", form=form, unit=unit, current=current), status


@bp.route("/units/<int:unit_id>/deactivate", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.manage")
def deactivate_unit(unit: OrgUnit):
    """Confirm, then stop a unit; what still depends on it is shown as a warning."""
    form = DeactivateUnitForm()
    if form.validate_on_submit():
        try:
            services.deactivate_unit(current_user, unit, acknowledged=form.acknowledge.data)
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã ngừng hoạt động đơn vị %(name)s. Dữ liệu của đơn vị vẫn được giữ.", name=unit.name),
                  "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
    return render_template("admin/deactivate_unit.html", unit=unit, form=form,
                           warnings=services.deactivation_warnings(unit)), form_status()


@bp.route("/units/<int:unit_id>/reactivate", methods=["POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.manage")
def reactivate_unit(unit: OrgUnit):
    """Bring a stopped unit back into use."""
    try:
        services.reactivate_unit(current_user, unit)
    except ValidationError as exc:
        flash(_(exc.message), "error")
    else:
        flash(_("Đơn vị %(name)s đã hoạt động trở lại.", name=unit.name), "success")
    return redirect(url_for("admin.unit_detail", unit_id=unit.id))
