"""The audit log page (nhật ký thao tác) and its .xlsx export."""

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import OrgUnit, User

from ..security import permissions
from ..web import list_exports
from . import audit_log, bp
from .forms import AuditFilterForm


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.unit_id.choices = [SelectChoice("", _("Mọi đơn vị"))] + [
        SelectChoice(str(i), name) for i, name in audit_log.unit_choices(current_user)]
    form.actor_id.choices = [SelectChoice("", _("Mọi người dùng"))] + [
        SelectChoice(str(i), name) for i, name in audit_log.actor_choices(current_user)]
    form.action.choices = [SelectChoice("", _("Mọi loại thao tác"))] + [
        SelectChoice(k, str(v)) for k, v in audit_log.FAMILIES.items()]
    form.validate()
    return form


@bp.route("/audit")
@login_required
@permissions.body_ids(unit_id=OrgUnit, actor_id=User)
def audit_list():
    """Who did what, when, to which record, in the units the user steers; newest first."""
    permissions.require(current_user, "audit.view")
    form = _filter_form()
    page = audit_log.list_events(current_user, audit_log.filters_from_args(request.args),
                                 sort=form.sort.data or "newest", cursor=request.args.get("after"),
                                 size=current_app.config["PAGE_SIZE"])
    page.args = list_exports.plain_args(request.args)
    return render_template("admin/audit_list.html", form=form, page=page, pages=audit_log.RECORD_PAGES,
                           family_label=audit_log.family_label, **audit_log.names(page.items))


@bp.route("/audit/export.xlsx", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, actor_id=User)
def export_audit():
    """The filtered audit log as .xlsx (a large one is rendered in the background)."""
    return list_exports.respond(current_user, audit_log.AUDIT, url_for("admin.audit_list", **request.args))
