"""Task pages: the list with its filters, an ad-hoc assignment, the task with its thread and the
actions the user may take, editing, and the download of a file posted on the task."""

from functools import wraps

from flask import current_app, flash, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from models import Attachment, OrgUnit, Plan, Task, TaskUpdate, User, db
from models.enums import Role, TaskStatus
from models.plans import task_update_attachment

from ..data import caches
from ..deadlines import queries as deadlines
from ..errors import Conflict, NotFound, ValidationError
from ..files import storage
from ..language.formatting import format_date, local_today
from ..security import permissions, scoping
from ..web.refused_forms import REFUSALS, back_to, form_status, refused_form, show_error
from . import assignments, bp, choices, pages, queries
from .assignments import task_values
from .forms import (
    ActionForm,
    CancelForm,
    CommentForm,
    DecisionForm,
    ExtensionForm,
    ForwardForm,
    ProgressForm,
    ReopenForm,
    ReturnForm,
    SubmitForm,
    TaskFilterForm,
)
from .timeliness import task_timeliness
from .views import task_form

ACTION_FORMS = {
    "progress_form": ProgressForm, "comment_form": CommentForm, "submit_form": SubmitForm,
    "return_form": ReturnForm, "reopen_form": ReopenForm, "cancel_form": CancelForm,
    "extension_form": ExtensionForm, "decision_form": DecisionForm, "forward_form": ForwardForm,
    "action_form": ActionForm,
}
EDITABLE = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
EXTENDABLE = (*EDITABLE, TaskStatus.AWAITING_HEAD)


def _filter_form() -> TaskFilterForm:
    form = TaskFilterForm(formdata=request.args)
    form.plan_id.choices = [SelectChoice("", _("Mọi kế hoạch"))] + choices.plan_choices(current_user)
    form.area_id.choices = [SelectChoice("", _("Mọi lĩnh vực"))] + choices.area_choices()
    form.unit_id.choices = [SelectChoice("", _("Mọi đơn vị"))] + choices.unit_choices(current_user, active_only=False)
    form.validate()
    return form


def _filters(form: TaskFilterForm) -> queries.TaskFilters:
    """The filters whose values are valid; a bad one is shown next to its field and ignored."""
    def value(name):
        field = form[name]
        return None if field.errors else field.data

    return queries.TaskFilters(plan_id=value("plan_id"), area_id=value("area_id"), unit_id=value("unit_id"),
                               status=value("status") or None, timeliness=value("timeliness") or None,
                               due_from=value("due_from"), due_to=value("due_to"), q=value("q") or "",
                               adhoc=bool(value("adhoc")), extension=value("extension") or "")


# templates/plans/task_list.html's filter panel, drawn from the choices and _filters_key() alone
caches.catalog_value("task_filters", **caches.reads_of(choices.UNITS, choices.AREAS, choices.PLANS))


def _filters_key():
    """What the filter panel is drawn from besides the choices (catalog.remembered_html): the
    scope, the query string but its cursor, the language and the day; None for a scope built per user."""
    prebuilt = scoping.prebuilt_scope(current_user)
    if prebuilt is None:
        return None
    args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "after"))
    return prebuilt[0], choices.scope_ids(prebuilt[1]), args, str(get_locale()), local_today()


def _steers(user) -> bool:
    return bool(user.roles & {Role.ADMIN, Role.LEADER, Role.COORDINATOR, Role.VIEWER})


@bp.route("/tasks")
@login_required
@permissions.body_ids(plan_id=Plan, unit_id=OrgUnit)
def task_list():
    """Tasks the user sees (a unit's officers: their unit's, led or supported), filtered and by deadline."""
    form = _filter_form()
    page = queries.list_tasks(current_user, _filters(form), sort=form.sort.data or "deadline",
                              cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    page.args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template("plans/task_list.html", form=form, page=page, filters_key=_filters_key(),
                           home_unit_id=choices.home_unit_id(current_user), steers=_steers(current_user))


@bp.route("/tasks/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, support_unit_ids=OrgUnit)
def new_adhoc_task():
    """A leader's or coordinator's directive outside any plan (giao nhiệm vụ đột xuất)."""
    permissions.require(current_user, "task.assign")
    form = task_form()
    if form.validate_on_submit():
        try:
            task = assignments.add_task(current_user, None, form.task_data())
        except ValidationError as exc:
            show_error(form, exc)
        else:
            flash(_("Đã giao nhiệm vụ; đơn vị chủ trì đã được thông báo."), "success")
            return back_to("plans.task_detail", task_id=task.id)
    return render_template("plans/edit_task.html", form=form, plan=None, task=None, current=None), form_status()


def allowed_actions(task: Task, pending) -> dict[str, bool]:
    """Which action forms the task page shows to the current user."""
    def can(action):
        return permissions.can(current_user, action, task)

    status = task.status
    return {
        "edit": can("task.assign") and status in EDITABLE,
        "progress": can("task.report") and status in EDITABLE,
        "submit": can("task.submit") and status in EDITABLE,
        "confirm": can("task.confirm") and status == TaskStatus.AWAITING_HEAD,
        "head_return": can("task.confirm") and status == TaskStatus.AWAITING_HEAD and not can("task.review"),
        "accept": can("task.review") and status == TaskStatus.SUBMITTED,
        "review_return": can("task.review") and status == TaskStatus.SUBMITTED,
        "reopen": can("task.reopen") and status == TaskStatus.ACCEPTED,
        "cancel": can("task.assign") and status in (*EXTENDABLE, TaskStatus.SUBMITTED),
        **deadlines.allowed(current_user, task, pending),
        "comment": can("task.comment") and status != TaskStatus.CANCELLED,
    }


def render_task(task: Task, status: int = 200, **given):
    """The task page; `given` holds a submitted action form to show again with its errors."""
    given = given or refused_form(f"task:{task.id}", ACTION_FORMS)
    data = pages.task_page(task)
    pending = data["pending_extension"]
    defaults = {"progress_form": {"progress": task.progress},
                **dict.fromkeys(("decision_form", "forward_form"), {"request_id": pending.id if pending else ""})}
    forms = {name: given.get(name) or cls(formdata=None, **defaults.get(name, {}))
             for name, cls in ACTION_FORMS.items()}
    assigned_by = db.session.get(User, task.assigned_by_id) if task.assigned_by_id else None
    return render_template("plans/task_detail.html", task=task, timeliness=task_timeliness(task, local_today()),
                           allowed=allowed_actions(task, pending), assigned_by=assigned_by,
                           **forms, **data), status


@bp.route("/tasks/<int:task_id>")
@login_required
@permissions.scoped_view(Task, "task_id", "task.view")
def task_detail(task: Task):
    """One task: its status, timeliness, updates and the actions the user may take."""
    return render_task(task)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit, support_unit_ids=OrgUnit)
@permissions.scoped_view(Task, "task_id", "task.assign")
def edit_task(task: Task):
    """Edit or reassign a task; a stale save shows the values someone else just saved (409)."""
    form, current = task_form(task), None
    if form.validate_on_submit():
        try:
            assignments.update_task(current_user, task, form.task_data(), version=form.version.data)
        except Conflict as exc:
            flash(_(exc.message), "error")
            current = describe_task(exc.current or task_values(task))
        except ValidationError as exc:
            show_error(form, exc)
        except REFUSALS as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã lưu nhiệm vụ."), "success")
            return back_to("plans.task_detail", task_id=task.id)
    plan = db.session.get(Plan, task.plan_id) if task.plan_id else None
    status = 409 if current else form_status()
    return render_template("plans/edit_task.html", form=form, plan=plan, task=task, current=current), status


def describe_task(values: dict) -> list[tuple[str, str]]:
    """A task's saved values in words, for the conflict box."""
    ids = [values.get("unit_id"), *(values.get("support_unit_ids") or [])]
    units = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    areas = {int(c.value): c.label for c in choices.area_choices()}
    return [(_("Số thứ tự"), values.get("number", "")), (_("Lĩnh vực"), areas.get(values.get("area_id"), "")),
            (_("Nội dung nhiệm vụ"), values.get("title", "")),
            (_("Sản phẩm đầu ra"), values.get("expected_output", "")),
            (_("Đơn vị chủ trì"), units.get(values.get("unit_id"), "")),
            (_("Đơn vị phối hợp"), "; ".join(units.get(u, "") for u in values.get("support_unit_ids") or [])),
            (_("Thời hạn hoàn thành"), format_date(values.get("deadline")))]


def task_attachment_view(view):
    """Load a file posted on a task the user sees (404 otherwise, whoever uploaded it) and pass it
    with its task; declared for the route walk like scoped_view."""
    @wraps(view)
    def wrapper(attachment_id):
        link = task_update_attachment
        row = db.session.execute(
            select(Attachment, TaskUpdate.task_id).join(link, link.c.attachment_id == Attachment.id)
            .join(TaskUpdate, TaskUpdate.id == link.c.update_id).where(Attachment.id == attachment_id)).first()
        if row is None:
            raise NotFound()
        task = permissions.get_visible_or_404(Task, row.task_id, current_user)
        permissions.require(current_user, "task.view", task)
        return view(attachment=row[0], task=task)

    wrapper.scoped = {"model": Attachment, "arg": "attachment_id", "action": "task.view"}
    wrapper.scoped_all = (wrapper.scoped,)
    return wrapper


@bp.route("/tasks/files/<int:attachment_id>")
@login_required
@task_attachment_view
def task_file(attachment: Attachment, task: Task):
    """Download a file posted on a task (images open in the browser)."""
    return storage.send_attachment(attachment, download=attachment.mime_type not in storage.IMAGE_TYPES)
