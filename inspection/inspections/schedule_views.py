"""Scheduling pages: one inspection, an annual inspection plan of many targets at once, the plans
with their progress; announcing, rescheduling (old dates kept), changing the team, cancelling."""

from datetime import timedelta

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import ChecklistTemplate, Inspection, InspectionPlan, OrgUnit, User
from models.enums import InspectionKind

from ..errors import InvalidTransition, ValidationError
from ..language.formatting import local_today
from ..security import permissions
from ..web.refused_forms import REFUSALS, back_to, form_status, show_error
from . import bp, queries, scheduling, team_rule
from .checklists import current_templates
from .forms import ActionForm, CancelForm, InspectionForm, PlanForm, RescheduleForm, TeamForm
from .views import to_inspection

SCHEDULE_IDS = {"unit_id": OrgUnit, "ordering_unit_id": OrgUnit, "template_id": ChecklistTemplate,
                "lead_id": User, "member_ids": User}


def _team_choices(form, inspection: Inspection | None = None, targets=()) -> None:
    """The people the user sees; for a surprise inspection, none from its target (team_rule). On a
    form that chooses its target (`targets`), each person is marked with the targets they belong to
    (data-inside), for the page to leave them out of a surprise inspection as the target changes."""
    candidates = queries.team_candidates(current_user)
    if inspection is not None and inspection.kind == InspectionKind.SURPRISE:
        inside = {u.id for u in team_rule.insiders(inspection.unit_id, [uid for uid, _label in candidates])}
        candidates = [(uid, label) for uid, label in candidates if uid not in inside]
    marks = team_rule.inside_of(targets, [uid for uid, _label in candidates]) if targets else {}
    people = [SelectChoice(str(uid), label, render_kw={"data-inside": " ".join(map(str, marks[uid]))}
                           if uid in marks else {}) for uid, label in candidates]
    form.lead_id.choices = [SelectChoice("", _("— Chọn trưởng đoàn —"))] + people
    form.member_ids.choices = people


def _schedule_form(form_class):
    """The form with the ordering units, targets, current templates and people the user sees."""
    form = form_class()
    ordering = queries.ordering_units(current_user)
    form.ordering_unit_id.choices = [SelectChoice(str(u.id), u.name) for u in ordering]
    units = queries.target_units(current_user, [u.id for u in ordering])
    targets = [SelectChoice(str(u.id), u.name) for u in units]
    if hasattr(form, "unit_ids"):
        form.unit_ids.choices = targets
    else:
        form.unit_id.choices = [SelectChoice("", _("— Chọn đơn vị được kiểm tra —"))] + targets
    form.template_id.choices = [SelectChoice("", _("— Chọn bộ tiêu chí —"))] + [
        SelectChoice(str(t.id), _("%(name)s (năm %(year)s, phiên bản %(v)s)", name=t.name, year=t.year, v=t.version))
        for t in current_templates(current_user)]
    _team_choices(form, targets=[u.id for u in units] if hasattr(form, "unit_id") else ())
    if not form.is_submitted() and ordering:
        form.ordering_unit_id.data = ordering[0].id
    return form


def _common(form) -> dict:
    return {"ordering_unit": permissions.get_visible_or_404(OrgUnit, form.ordering_unit_id.data, current_user),
            "template": permissions.get_visible_or_404(ChecklistTemplate, form.template_id.data, current_user),
            "lead_id": form.lead_id.data, "member_ids": form.member_ids.data or []}


@bp.route("/inspections/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(**SCHEDULE_IDS)
def new_inspection():
    """Schedule one inspection: target, kind (surprise: leaders only), dates, template and team."""
    permissions.require(current_user, "inspection.schedule")
    form = _schedule_form(InspectionForm)
    if not form.is_submitted():
        form.unit_id.data = request.args.get("unit_id", type=int)
    if form.validate_on_submit():
        try:
            inspection = scheduling.schedule_inspection(
                current_user, target=permissions.get_visible_or_404(OrgUnit, form.unit_id.data, current_user),
                kind=form.kind.data, start_on=form.start_on.data, end_on=form.end_on.data, number=form.number.data,
                decision_ref=form.decision_ref.data, title=form.title.data or "", **_common(form))
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lên lịch cuộc kiểm tra; đoàn kiểm tra đã được thông báo."), "success")
            _warn_team(inspection)
            return to_inspection(inspection)
    return render_template("inspections/new.html", form=form,
                           may_surprise=permissions.can(current_user, "inspection.order_surprise")), form_status()


# ---- annual inspection plans

@bp.route("/inspection-plans")
@login_required
def plan_list():
    """The inspection plans the user sees, with how many units each has inspected."""
    year = request.args.get("year", type=int)
    plans = queries.list_plans(current_user, year=year)
    return render_template("inspections/plan_list.html", plans=plans, year=year,
                           years=queries.plan_years(current_user),
                           progress=queries.progress_of(current_user, [p.id for p in plans]))


@bp.route("/inspection-plans/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_ids=OrgUnit, **SCHEDULE_IDS)
def new_plan():
    """An annual inspection plan: many units, a date each or a first day and interval, one team."""
    permissions.require(current_user, "inspection.schedule")
    form = _schedule_form(PlanForm)
    if not form.is_submitted():
        form.year.data = local_today().year
    valid = form.validate_on_submit()
    schedule = form.schedule(request.form) if form.is_submitted() else None
    if valid and schedule is not None:
        try:
            plan, inspections = scheduling.schedule_plan(
                current_user, number=form.number.data, issued_on=form.issued_on.data, year=form.year.data,
                title=form.title.data, kind=form.kind.data, targets=_targets(form, schedule), **_plan_common(form))
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lập kế hoạch kiểm tra với %(n)d cuộc kiểm tra.", n=len(inspections)), "success")
            return back_to("inspections.plan_detail", inspection_plan_id=plan.id)
    return render_template("inspections/new_plan.html", form=form, days=request.form), form_status()


def _plan_common(form) -> dict:
    common = _common(form)
    return {"ordering_unit": common["ordering_unit"], "template": common["template"]}


def _targets(form, schedule) -> list[dict]:
    days = max(form.days.data or 1, 1)
    return [{"unit": permissions.get_visible_or_404(OrgUnit, unit_id, current_user), "start_on": start,
             "end_on": start + timedelta(days=days - 1), "lead_id": form.lead_id.data,
             "member_ids": form.member_ids.data or []} for unit_id, start in schedule]


@bp.route("/inspection-plans/<int:inspection_plan_id>")
@login_required
@permissions.scoped_view(InspectionPlan, "inspection_plan_id", "inspection.view", as_name="plan")
def plan_detail(plan: InspectionPlan):
    """The plan: progress ("Đã kiểm tra 11/17 đơn vị; cấp xã 6/9") and its inspections."""
    progress = queries.progress_of(current_user, [plan.id]).get(plan.id, queries.PlanProgress())
    return render_template("inspections/plan_detail.html", plan=plan, progress=progress,
                           inspections=queries.plan_inspections(current_user, plan))


# ---- changes to one scheduled inspection

@bp.route("/inspections/<int:inspection_id>/announce", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.schedule")
def announce(inspection: Inspection):
    """Announce a scheduled or thematic inspection to its unit (never a surprise one)."""
    if ActionForm().validate_on_submit():
        try:
            scheduling.announce_inspection(current_user, inspection)
        except REFUSALS as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã thông báo kế hoạch kiểm tra đến đơn vị được kiểm tra."), "success")
    return to_inspection(inspection)


def _changes(inspection: Inspection, kind: str) -> list:
    return queries.changes_of(inspection, kind)


@bp.route("/inspections/<int:inspection_id>/reschedule", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.schedule")
def reschedule(inspection: Inspection):
    """Move the dates of an inspection not yet started; the old dates stay on record."""
    form = RescheduleForm()
    if form.validate_on_submit():
        try:
            scheduling.reschedule_inspection(current_user, inspection, start_on=form.start_on.data,
                                             end_on=form.end_on.data, reason=form.reason.data)
        except ValidationError as exc:
            show_error(form, exc)
        except InvalidTransition as exc:
            flash(_(exc.message), "error")
            return to_inspection(inspection)
        else:
            flash(_("Đã dời lịch kiểm tra; lịch cũ được lưu lại."), "success")
            return to_inspection(inspection)
    changes = _changes(inspection, "rescheduled")
    return render_template("inspections/reschedule.html", form=form, inspection=inspection, changes=changes,
                           names=queries.names_of({c.changed_by_id for c in changes})), form_status()


@bp.route("/inspections/<int:inspection_id>/team", methods=["GET", "POST"])
@login_required
@permissions.body_ids(lead_id=User, member_ids=User)
@permissions.scoped_view(Inspection, "inspection_id", "inspection.schedule")
def change_team(inspection: Inspection):
    """Replace the team lead and members (until the minutes are closed)."""
    form = TeamForm()
    _team_choices(form, inspection)
    if not form.is_submitted():
        form.lead_id.data = next((m.user_id for m in inspection.members if m.role == "lead"), None)
        form.member_ids.data = [m.user_id for m in inspection.members if m.role != "lead"]
    if form.validate_on_submit():
        try:
            scheduling.change_team(current_user, inspection, lead_id=form.lead_id.data,
                                   member_ids=form.member_ids.data or [], reason=form.reason.data or "")
        except ValidationError as exc:
            show_error(form, exc)
        except InvalidTransition as exc:
            flash(_(exc.message), "error")
            return to_inspection(inspection)
        else:
            flash(_("Đã thay đổi thành phần đoàn kiểm tra."), "success")
            _warn_team(inspection)
            return to_inspection(inspection)
    return render_template("inspections/team.html", form=form, inspection=inspection,
                           warning=_team_warning(inspection),
                           changes=_changes(inspection, "team"), names=queries.names_of(_team_ids(inspection))), \
        form_status()


def _team_warning(inspection: Inspection) -> str:
    """A scheduled or thematic inspection's team holding people of its target: a warning, not a
    refusal (conflict of interest is the leader's call there)."""
    target, names = team_rule.conflicted(inspection)
    if target is None:
        return ""
    return _("Lưu ý: %(names)s thuộc %(unit)s (đơn vị được kiểm tra hoặc đơn vị trực thuộc). Lãnh đạo cân nhắc "
             "xung đột lợi ích khi giữ người này trong đoàn kiểm tra.", names=names, unit=target.name)


def _warn_team(inspection: Inspection) -> None:
    if warning := _team_warning(inspection):
        flash(warning, "warning")


def _team_ids(inspection: Inspection) -> set[int]:
    ids = {m.user_id for m in inspection.members}
    for change in _changes(inspection, "team"):
        ids |= set(change.before.get("team", [])) | set(change.after.get("team", []))
    return ids


@bp.route("/inspections/<int:inspection_id>/cancel", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.schedule")
def cancel(inspection: Inspection):
    """Cancel a planned or announced inspection, with a reason."""
    form = CancelForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel_inspection(current_user, inspection, reason=form.reason.data)
        except ValidationError as exc:
            show_error(form, exc)
        except InvalidTransition as exc:
            flash(_(exc.message), "error")
            return to_inspection(inspection)
        else:
            flash(_("Đã hủy cuộc kiểm tra."), "success")
            return to_inspection(inspection)
    return render_template("inspections/cancel.html", form=form, inspection=inspection), form_status()

