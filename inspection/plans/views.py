"""Plan pages: the list, drafting and editing, the plan with its tasks and progress, issuing,
closing, copying to another year, adding a task. Task pages are in task_views.py."""

from flask import current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import OrgUnit, Plan
from models.enums import (
    EXTENSION_STATUS_LABELS,
    PLAN_STATUS_LABELS,
    TASK_STATUS_LABELS,
    TIMELINESS_COLOURS,
    TIMELINESS_LABELS,
)

from ..errors import Conflict, ValidationError
from ..language.formatting import format_date, local_today
from ..security import permissions
from ..web.refused_forms import REFUSALS, back_to, form_status, show_error
from . import assignments, bp, choices, pages, queries, services
from .forms import ActionForm, CopyPlanForm, PlanForm, TaskForm
from .timeliness import OPEN_WORK, shown_progress, task_timeliness

ACCEPTED_FILES = "image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx"


@bp.context_processor
def _vocabulary() -> dict:
    return {"UPDATE_LABELS": pages.UPDATE_LABELS, "EXTENSION_STATUS_LABELS": EXTENSION_STATUS_LABELS,
            "ACCEPT": ACCEPTED_FILES, "PLAN_STATUS_LABELS": PLAN_STATUS_LABELS, "today": local_today()}


def _task_timeliness_today(task):
    return task_timeliness(task, local_today())


@bp.record_once
def _row_vocabulary(state) -> None:
    """What a task's remembered row is drawn from besides the row (templates/plans/_task_row.html,
    imported without context): globals, so no page's variables can reach it."""
    state.app.jinja_env.globals.update(
        TASK_STATUS_LABELS=TASK_STATUS_LABELS, TIMELINESS_LABELS=TIMELINESS_LABELS,
        TIMELINESS_COLOURS=TIMELINESS_COLOURS, OPEN_WORK=OPEN_WORK, shown_progress=shown_progress,
        task_timeliness_today=_task_timeliness_today)


@bp.route("/plans")
@login_required
def plan_list():
    """The plans the user sees, by year, searchable without diacritics."""
    year = request.args.get("year", type=int)
    page = queries.list_plans(current_user, year=year, q=request.args.get("q", ""),
                              sort=request.args.get("sort", "newest"), cursor=request.args.get("after"),
                              size=current_app.config["PAGE_SIZE"])
    if year:
        page.args["year"] = year
    return render_template("plans/plan_list.html", page=page, year=year, years=choices.plan_years(current_user))


def _plan_form(plan: Plan | None = None) -> PlanForm:
    form = PlanForm(obj=plan)
    form.area_ids.choices = choices.area_choices()
    if plan is None:
        form.unit_id.choices = choices.issuing_unit_choices(current_user)
    else:
        del form.unit_id  # the issuing unit of a plan does not change
    if not form.is_submitted():
        form.area_ids.data = [a.id for a in plan.areas] if plan else []
        if plan is None:
            form.year.data = local_today().year
    return form


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit)
def new_plan():
    """Draft a plan (dự thảo): number and symbol, date, title, year, issuing unit, PAR areas."""
    permissions.require(current_user, "plan.manage")
    form = _plan_form()
    if form.validate_on_submit():
        unit = permissions.get_visible_or_404(OrgUnit, form.unit_id.data, current_user)
        try:
            plan = services.create_plan(current_user, unit=unit, **form.plan_data())
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lập dự thảo kế hoạch. Hãy thêm các nhiệm vụ."), "success")
            return back_to("plans.plan_detail", plan_id=plan.id)
    return render_template("plans/edit_plan.html", form=form, plan=None, current=None), form_status()


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def edit_plan(plan: Plan):
    """Edit a plan; a stale save shows the values someone else just saved (409)."""
    form, current = _plan_form(plan), None
    if form.validate_on_submit():
        try:
            services.update_plan(current_user, plan, version=form.version.data, **form.plan_data())
        except Conflict as exc:
            flash(_(exc.message), "error")
            current = describe_plan(exc.current or services.plan_values(plan))
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lưu kế hoạch."), "success")
            return back_to("plans.plan_detail", plan_id=plan.id)
    status = 409 if current else form_status()
    return render_template("plans/edit_plan.html", form=form, plan=plan, current=current), status


def describe_plan(values: dict) -> list[tuple[str, str]]:
    """A plan's saved values in words, for the conflict box."""
    names = {int(c.value): c.label for c in choices.area_choices()}
    return [(_("Số, ký hiệu"), values.get("number") or ""), (_("Ngày kế hoạch"), format_date(values.get("issued_on"))),
            (_("Tên kế hoạch"), values.get("title", "")), (_("Năm kế hoạch"), str(values.get("year", ""))),
            (_("Lĩnh vực"), "; ".join(names.get(a, str(a)) for a in values.get("areas") or []))]


@bp.route("/plans/<int:plan_id>")
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.view")
def plan_detail(plan: Plan):
    """The plan: its tasks by PAR area, its progress per area and per unit, its overdue tasks."""
    return render_template("plans/plan_detail.html", plan=plan, action_form=ActionForm(),
                           copy_form=CopyPlanForm(year=plan.year + 1, formdata=None),
                           oversees=permissions.can(current_user, "unit.view", plan.unit),
                           **pages.plan_page(plan, current_user, local_today(),
                                             current_app.config["PLAN_PAGE_TASKS"]))


def _plan_step(plan: Plan, step, done: str):
    if ActionForm().validate_on_submit():
        try:
            step(current_user, plan)
        except REFUSALS as exc:
            flash(_(exc.message), "error")
        else:
            flash(done, "success")
    return back_to("plans.plan_detail", plan_id=plan.id)


@bp.route("/plans/<int:plan_id>/issue", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.issue")
def issue_plan(plan: Plan):
    """The leader issues the drafted plan: its units are notified of their tasks."""
    return _plan_step(plan, services.issue_plan, _("Đã ban hành kế hoạch; các đơn vị đã được thông báo nhiệm vụ."))


@bp.route("/plans/<int:plan_id>/close", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.issue")
def close_plan(plan: Plan):
    """Close an issued plan (kết thúc)."""
    return _plan_step(plan, services.close_plan, _("Đã kết thúc kế hoạch."))


@bp.route("/plans/<int:plan_id>/copy", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def copy_plan(plan: Plan):
    """Copy the plan and its tasks into a new draft for another year."""
    form = CopyPlanForm()
    if not form.validate_on_submit():
        for message in form.year.errors or [_("Phiên làm việc đã hết hạn, vui lòng thử lại.")]:
            flash(message, "error")
        return back_to("plans.plan_detail", plan_id=plan.id)
    try:
        copy = services.copy_plan(current_user, plan, year=form.year.data)
    except REFUSALS as exc:
        flash(_(exc.message), "error")
        return back_to("plans.plan_detail", plan_id=plan.id)
    flash(_("Đã tạo dự thảo kế hoạch năm %(year)s từ kế hoạch này. Hãy nhập số, ký hiệu và ngày của kế hoạch mới.",
            year=copy.year), "success")
    return back_to("plans.edit_plan", plan_id=copy.id)


def task_form(task=None) -> TaskForm:
    """The task form with the areas and the units the user sees as options."""
    form = TaskForm(obj=task)
    form.area_id.choices = [SelectChoice("", _("— Không chọn lĩnh vực —"))] + choices.area_choices()
    units = choices.unit_choices(current_user)
    form.unit_id.choices = [SelectChoice("", _("— Chọn đơn vị chủ trì —"))] + units
    form.support_unit_ids.choices = units
    if task is not None and not form.is_submitted():
        form.support_unit_ids.data = [u.id for u in task.support_units]
        form.deadline.data = task.deadline
    return form


def _next_number(plan: Plan) -> str:
    numbers = [t.number for t in tasks_of(plan)]
    digits = [int(n) for n in numbers if n.isdigit()]
    return str(max(digits, default=len(numbers)) + 1)


def tasks_of(plan: Plan):
    return queries.plan_tasks(plan, current_user)


@bp.route("/plans/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, support_unit_ids=OrgUnit)
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def new_task(plan: Plan):
    """Add a numbered task to the plan; "save and add another" keeps the form open."""
    form = task_form()
    if not form.is_submitted():
        form.number.data = _next_number(plan)
        form.area_id.data = request.args.get("area", type=int)
    if form.validate_on_submit():
        try:
            assignments.add_task(current_user, plan, form.task_data())
        except ValidationError as exc:
            show_error(form, exc)
        except REFUSALS as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã thêm nhiệm vụ số %(n)s.", n=form.number.data), "success")
            if request.form.get("next") == "another":
                return back_to("plans.new_task", plan_id=plan.id, area=form.area_id.data)
            return back_to("plans.plan_detail", plan_id=plan.id)
    return render_template("plans/edit_task.html", form=form, plan=plan, task=None, current=None), form_status()
