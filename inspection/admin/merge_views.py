"""Administration pages: merging units ("sáp nhập")."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import OrgUnit

from ..errors import ValidationError
from ..language.formatting import format_date
from ..security import permissions
from ..web.refused_forms import form_status, show_error
from . import bp, services
from .forms import MergeForm


def _with_choices(form: MergeForm) -> MergeForm:
    units = services.unit_choices(current_user)
    form.predecessors.choices = services.unit_choices(current_user, with_root=False)
    form.successor_id.choices = [SelectChoice("", _("— Chọn đơn vị kế thừa —"))] + units
    form.new_parent_id.choices = [SelectChoice("", _("— Chọn đơn vị cấp trên —"))] + units
    return form


def _new_successor(form: MergeForm) -> dict | None:
    if form.mode.data != "new":
        return None
    return {"code": form.new_code.data, "name": form.new_name.data, "kind": form.new_kind.data,
            "parent_id": form.new_parent_id.data}


@bp.route("/units/merge", methods=["GET", "POST"])
@login_required
@permissions.body_ids(predecessors=OrgUnit, successor_id=OrgUnit, new_parent_id=OrgUnit)
def merge_units():
    """Merge two or more units into an existing or a new unit from an effective date."""
    permissions.require(current_user, "unit.merge")
    form = _with_choices(MergeForm())
    if form.validate_on_submit():
        try:
            successor = services.merge_units(
                current_user, predecessor_ids=form.predecessors.data, effective_on=form.effective_on.data,
                successor_id=form.successor_id.data if form.mode.data == "existing" else None,
                new_successor=_new_successor(form))
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã sáp nhập vào %(name)s từ ngày %(date)s.", name=successor.name,
                    date=format_date(form.effective_on.data)), "success")
            return redirect(url_for("admin.unit_detail", unit_id=successor.id))
    return render_template("admin/merge_form.html", form=form), form_status()
