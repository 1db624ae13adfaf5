"""Administration pages."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import OrgUnit

from .. import permissions
from ..errors import Conflict
from ..listing import paginate
from . import bp, services
from .forms import UnitForm

UNIT_SORTS = {"name": (OrgUnit.name_folded, False), "code": (OrgUnit.code, False),
              "newest": (OrgUnit.created_at, True)}


@bp.route("/units")
@login_required
def units():
    """Units the user sees, searchable without diacritics."""
    stmt = permissions.scope(select(OrgUnit), current_user, OrgUnit)
    page = paginate(stmt, sorts=UNIT_SORTS, sort=request.args.get("sort", "name"),
                    cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"],
                    search_column=OrgUnit.name_folded, q=request.args.get("q", ""))
    return render_template("admin/units.html", page=page)


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
        else:
            flash(_("Đã lưu đơn vị."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/edit_unit.html", form=form, unit=unit, current=current), (409 if current else 200)
