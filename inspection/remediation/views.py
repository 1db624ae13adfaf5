"""Remediation pages: the list of actions ("Việc cần khắc phục"), the leader's overview per unit,
one action with its finding, before/after photos, steps and rounds, the photos and files it shows,
and the coordinator's further requirement on a finding. The forms acting on an action are in
action_views.py."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from models import Attachment, Finding, Inspection, OrgUnit, RemediationAction, db
from models.enums import (
    EXTENSION_STATUS_LABELS,
    INSPECTION_STATUS_LABELS,
    REMEDIATION_STATUS_LABELS,
    SEVERITY_LABELS,
    TIMELINESS_COLOURS,
    TIMELINESS_LABELS,
    InspectionStatus,
    RemediationStatus,
    Role,
)

from ..deadlines import queries as deadlines
from ..errors import InvalidTransition, ValidationError
from ..files import storage
from ..inspections import findings
from ..language.formatting import local_today
from ..plans.timeliness import timeliness
from ..security import permissions
from ..web import list_exports
from ..web.refused_forms import refused_form, show_error
from . import bp, escalation, exports, queries, services
from .forms import (
    DOCUMENTS,
    AcceptForm,
    ActionFilterForm,
    ActionForm,
    DecisionForm,
    ExtensionForm,
    ForwardForm,
    NewActionForm,
    ReturnForm,
    StepForm,
    SubmitForm,
)

ACTION_FORMS = {"action_form": ActionForm, "submit_form": SubmitForm, "accept_form": AcceptForm,
                "return_form": ReturnForm, "step_form": StepForm, "extension_form": ExtensionForm,
                "decision_form": DecisionForm, "forward_form": ForwardForm}
WORKING = (RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS, RemediationStatus.RETURNED)
OVERSEERS = frozenset({Role.ADMIN, Role.LEADER, Role.COORDINATOR, Role.VIEWER})


def timeliness_of(action: RemediationAction):
    return timeliness(action.status, action.deadline, action.completed_on, local_today())


@bp.context_processor
def _vocabulary() -> dict:
    return {"REMEDIATION_STATUS_LABELS": REMEDIATION_STATUS_LABELS, "SEVERITY_LABELS": SEVERITY_LABELS,
            "TIMELINESS_LABELS": TIMELINESS_LABELS, "TIMELINESS_COLOURS": TIMELINESS_COLOURS,
            "EXTENSION_STATUS_LABELS": EXTENSION_STATUS_LABELS, "INSPECTION_STATUS_LABELS": INSPECTION_STATUS_LABELS,
            "DOCUMENTS": DOCUMENTS, "timeliness_of": timeliness_of, "today": local_today(),
            "oversees": bool(current_user.is_authenticated and current_user.roles & OVERSEERS)}


def to_action(action: RemediationAction):
    return redirect(url_for("remediation.detail", action_id=action.id), 303)


# ---- the list and the overview

def _filter_form() -> ActionFilterForm:
    """The filters; a first visit (no query at all) shows the unfinished work, while its status
    field stays "every state", so a search typed there runs over every state (the tabs count it)."""
    form = ActionFilterForm(formdata=request.args if request.args else MultiDict({}))
    form.unit_id.choices = [SelectChoice("", _("Mọi đơn vị"))] + [
        SelectChoice(str(i), name) for i, name in queries.unit_choices(current_user)]
    chosen = request.args.get("inspection_id", type=int)  # a link's, also when older than the newest listed
    form.inspection_id.choices = [SelectChoice("", _("Mọi cuộc kiểm tra"))] + [
        SelectChoice(str(i), label) for i, label in queries.inspection_choices(current_user, chosen)]
    form.area_id.choices = [SelectChoice("", _("Mọi lĩnh vực"))] + [
        SelectChoice(str(i), name) for i, name in findings.area_choices()]
    form.validate()
    return form


def _filters(form: ActionFilterForm) -> queries.ActionFilters:
    """The filters whose values are valid; a bad one is shown next to its field and ignored."""
    def value(name):
        return None if form[name].errors else form[name].data

    return queries.ActionFilters(status=value("status") or None, timeliness=value("timeliness") or None,
                                 inspection_id=value("inspection_id"), unit_id=value("unit_id"),
                                 area_id=value("area_id"),
                                 returned=value("returned") == "y", extension=value("extension") or "",
                                 escalated=value("escalated") == "y", q=value("q") or "")


@bp.route("/remediation")
@login_required
@permissions.body_ids(unit_id=OrgUnit, inspection_id=Inspection)
def action_list():
    """The actions the user sees (a unit's officers: their unit's), unfinished first by deadline."""
    form = _filter_form()
    filters = _filters(form)
    if not request.args:
        filters.status = queries.UNFINISHED
    page = queries.list_actions(current_user, filters, sort=form.sort.data or "deadline",
                                cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    given = request.args if request.args else {"status": queries.UNFINISHED}
    page.args = {k: v for k, v in given.items() if k != "after" and v}
    counts = queries.tab_counts(current_user, filters)
    return render_template("remediation/list.html", form=form, page=page, counts=counts,
                           **queries.related(page.items))


@bp.route("/remediation/export.xlsx", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, inspection_id=Inspection)
def export_actions():
    """The filtered action list as .xlsx (a large one is rendered in the background)."""
    return list_exports.respond(current_user, exports.ACTIONS,
                                url_for("remediation.action_list", **request.args))


@bp.route("/remediation/overview")
@login_required
def overview():
    """Per unit: open, overdue, closed on time, closed late, returned at least once; and the
    actions escalated to the leader."""
    rows = queries.unit_statistics(current_user)
    escalated = [a for a in escalation.leader_list(current_user) if a.status != RemediationStatus.ACCEPTED]
    return render_template("remediation/overview.html", rows=rows, total=queries.totals(rows), escalated=escalated,
                           **queries.related(escalated))


# ---- one action

def allowed_actions(action: RemediationAction, data: dict) -> dict[str, bool]:
    """Which forms the action page shows to the current user (the services check again)."""
    def can(name, obj=action):
        return permissions.can(current_user, name, obj)

    status, latest, pending = action.status, data["latest"], data["pending_extension"]
    own = latest is not None and current_user.id in (latest.submitted_by_id, latest.confirmed_by_id)
    inspection = data["inspection"]
    return {
        "start": can("remediation.work") and status in (RemediationStatus.OPEN, RemediationStatus.RETURNED),
        "submit": can("remediation.work") and status in WORKING,
        "confirm": can("remediation.confirm") and status == RemediationStatus.AWAITING_HEAD,
        "review": can("remediation.review") and status == RemediationStatus.SUBMITTED and not own,
        "step": can("remediation.work") and status != RemediationStatus.ACCEPTED,
        **deadlines.allowed(current_user, action, pending),
        "add_action": can("remediation.manage", data["unit"]) and data["finding"] is not None
        and inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CLOSED),
    }


def render_action(action: RemediationAction, status: int = 200, **given):
    """The action page; `given` holds a submitted form to show again with its errors."""
    data = queries.action_page(action)
    pending = data["pending_extension"]
    defaults = dict.fromkeys(("decision_form", "forward_form"), {"request_id": pending.id if pending else ""})
    given = given or refused_form(f"action:{action.id}", ACTION_FORMS, version=action.version)
    forms = {name: given.get(name) or cls(formdata=None, version=action.version, **defaults.get(name, {}))
             for name, cls in ACTION_FORMS.items()}
    return render_template("remediation/detail.html", action=action, timeliness=timeliness_of(action),
                           allowed=allowed_actions(action, data), **forms, **data), status


@bp.route("/remediation/<int:action_id>")
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.view", as_name="action")
def detail(action: RemediationAction):
    """One remediation action: the finding it answers, its rounds, evidence and review."""
    return render_action(action)


def _send(attachment: Attachment, *, download: bool):
    return storage.send_attachment(attachment, download=download)


@bp.route("/remediation/<int:action_id>/photo")
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.view", as_name="action")
def photo(action: RemediationAction):
    """A photo (before or after) of the finding the action answers, ?p=photo id (the first by
    default): the upright display copy, never the storage path."""
    finding = db.session.get(Finding, action.finding_id) if action.finding_id else None
    wanted = request.args.get("p", type=int)
    chosen = next((p for p in (finding.photos if finding else []) if wanted in (None, p.id)), None)
    if chosen is None:
        abort(404)
    return _send(db.session.get(Attachment, chosen.display_id), download=False)


@bp.route("/remediation/<int:action_id>/file")
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.view", as_name="action")
def evidence_file(action: RemediationAction):
    """A file of one of the action's rounds, ?a=attachment id (the latest round's first by
    default); pictures open in the browser, documents download."""
    attachments = [x for r in reversed(queries.rounds_of(action)) for x in sorted(r.submission.attachments,
                                                                                  key=lambda x: x.id)]
    wanted = request.args.get("a", type=int)
    chosen = next((x for x in attachments if wanted in (None, x.id)), None)
    if chosen is None:
        abort(404)
    return _send(chosen, download=chosen.mime_type not in storage.IMAGE_TYPES)


# ---- the coordinator's further requirement on a finding

def _new_action_form(finding: Finding) -> NewActionForm:
    form = NewActionForm()
    form.unit_id.choices = [SelectChoice(str(i), name) for i, name in queries.manageable_units(current_user)]
    if not form.is_submitted():
        form.unit_id.data = finding.unit_id
    return form


@bp.route("/remediation/findings/<int:finding_id>/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit)
@permissions.scoped_view(Finding, "finding_id", "remediation.manage")
def new_action(finding: Finding):
    """The coordinator adds a remediation action to a finding after the conclusion."""
    form, status = _new_action_form(finding), 200
    if form.validate_on_submit():
        try:
            unit = permissions.get_visible_or_404(OrgUnit, form.unit_id.data, current_user)
            action = services.add_action(current_user, finding, unit=unit, description=form.description.data,
                                         deadline=form.deadline.data)
        except (ValidationError, InvalidTransition) as exc:
            show_error(form, exc)
            status = exc.status
        else:
            flash(_("Đã bổ sung yêu cầu khắc phục; đơn vị đã được thông báo."), "success")
            return to_action(action)
    elif form.is_submitted():
        status = 422
    inspection = db.session.get(Inspection, finding.inspection_id)
    return render_template("remediation/new_action.html", form=form, finding=finding, inspection=inspection,
                           open_for_actions=inspection.status in (InspectionStatus.CONCLUDED,
                                                                  InspectionStatus.CLOSED)), status
