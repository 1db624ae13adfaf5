"""The findings list page and its .xlsx export; the inspection list's export."""

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import Inspection, OrgUnit
from models.enums import SEVERITY_LABELS

from ..security import permissions
from ..web import list_exports
from . import bp, exports, findings, queries
from .forms import FindingFilterForm


def _filter_form() -> FindingFilterForm:
    form = FindingFilterForm(request.args)
    form.unit_id.choices = [SelectChoice("", _("Mọi đơn vị"))] + [
        SelectChoice(str(uid), name) for uid, name in queries.targets_seen(current_user)]
    chosen = request.args.get("inspection_id", type=int)  # a link's, also when older than the newest listed
    form.inspection_id.choices = [SelectChoice("", _("Mọi cuộc kiểm tra"))] + [
        SelectChoice(str(i), title) for i, title in findings.inspection_choices(current_user, chosen)]
    form.area_id.choices = [SelectChoice("", _("Mọi lĩnh vực"))] + [
        SelectChoice(str(i), name) for i, name in findings.area_choices()]
    form.validate()
    return form


@bp.route("/findings")
@login_required
@permissions.body_ids(unit_id=OrgUnit, inspection_id=Inspection)
def finding_list():
    """The findings the user sees across inspections, by severity, unit, inspection, PAR area and
    the inspection's start date."""
    permissions.require(current_user, "inspection.view")
    form = _filter_form()
    page = findings.list_findings(current_user, findings.filters_from_args(request.args),
                                  sort=form.sort.data or "newest", cursor=request.args.get("after"),
                                  size=current_app.config["PAGE_SIZE"])
    page.args = list_exports.plain_args(request.args)
    return render_template("inspections/findings.html", form=form, page=page, SEVERITY_LABELS=SEVERITY_LABELS,
                           **findings.related(page.items))


@bp.route("/findings/export.xlsx", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, inspection_id=Inspection)
def export_findings():
    """The filtered findings list as .xlsx (a large one is rendered in the background)."""
    return list_exports.respond(current_user, findings.FINDINGS, url_for("inspections.finding_list", **request.args))


@bp.route("/inspections/export.xlsx", methods=["GET", "POST"])
@login_required
def export_inspections():
    """The filtered inspection list as .xlsx (a large one is rendered in the background)."""
    return list_exports.respond(current_user, exports.INSPECTIONS,
                                url_for("inspections.inspection_list", **request.args))
