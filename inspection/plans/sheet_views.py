"""Plans pages for spreadsheets: import a plan's tasks from .xlsx (upload → preview → confirm),
download the import template, export a plan or a filtered task list to .xlsx."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from werkzeug.routing import BuildError
from wtforms import HiddenField
from wtforms.validators import InputRequired

from models import Plan

from ..errors import ValidationError
from ..files import storage
from ..security import permissions
from ..web.base_forms import Form
from ..web.sheets import PREVIEW_LOST, XLSX_MIME
from . import bp, exports, imports

_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields around the file


class TaskImportForm(Form):
    file = FileField(_l("Tệp Excel (.xlsx)"), validators=[FileRequired(_l("Hãy chọn tệp Excel để tải lên."))])


class ConfirmImportForm(Form):
    attachment_id = HiddenField(validators=[InputRequired()])


def plan_url(plan: Plan) -> str:
    """The plan's page (the plan views may not be registered in every build)."""
    try:
        return url_for("plans.plan_detail", plan_id=plan.id)
    except BuildError:
        return url_for("plans.import_tasks", plan_id=plan.id)


def _upload_page(plan: Plan, form: TaskImportForm, status: int = 200):
    return render_template("plans/import_upload.html", plan=plan, form=form, columns=imports.COLUMNS,
                           max_mb=imports.MAX_IMPORT_BYTES // (1024 * 1024), max_rows=imports.MAX_IMPORT_ROWS,
                           plan_url=plan_url(plan)), status


def _too_large() -> bool:
    return (request.content_length or 0) > imports.MAX_IMPORT_BYTES + _FORM_OVERHEAD


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def import_tasks(plan: Plan):
    """Upload an .xlsx of tasks and see every row checked; nothing is added yet."""
    form = TaskImportForm()
    if request.method == "POST" and _too_large():
        form.file.errors = [_("Tệp vượt quá dung lượng cho phép (%(n)d MB).",
                              n=imports.MAX_IMPORT_BYTES // (1024 * 1024))]
        return _upload_page(plan, form, 413)
    if not form.validate_on_submit():
        return _upload_page(plan, form, 422 if form.errors else 200)
    upload = form.file.data
    try:
        preview = imports.preview_import(current_user, plan, upload.stream, upload.filename or "")
    except ValidationError as exc:
        form.file.errors.append(_(exc.message))
        return _upload_page(plan, form, 422)
    return render_template("plans/import_preview.html", plan=plan, preview=preview, columns=imports.COLUMNS,
                           confirm=ConfirmImportForm(attachment_id=preview.attachment_id), upload=TaskImportForm(),
                           plan_url=plan_url(plan)), (422 if preview.error_count else 200)


@bp.route("/plans/<int:plan_id>/import/confirm", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def confirm_import(plan: Plan):
    """Add every row of the previewed file as a task, in one transaction, or none."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_(PREVIEW_LOST), "error")
        return redirect(url_for("plans.import_tasks", plan_id=plan.id), 303)
    try:
        created = imports.confirm_import(current_user, plan, form.attachment_id.data)
    except ValidationError as exc:  # back to the upload page (303), never left on the POST address
        flash(_(exc.message), "error")
        return redirect(url_for("plans.import_tasks", plan_id=plan.id), 303)
    flash(_("Đã nhập %(n)d nhiệm vụ vào kế hoạch.", n=len(created)), "success")
    return redirect(plan_url(plan))


@bp.route("/plans/<int:plan_id>/import/template.xlsx")
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.manage")
def import_template(plan: Plan):
    """The .xlsx template: headers, one example row, a guide and the codes to use."""
    return _xlsx(f"mau-nhap-nhiem-vu-ke-hoach-{plan.id}.xlsx", exports.template_workbook(current_user, plan))


def _xlsx(filename: str, content: bytes) -> Response:
    return Response(content, mimetype=XLSX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _export(spec: dict, back: str):
    """GET: the file itself when small, else a page offering to render it in the background;
    POST: queue the background rendering."""
    if request.method == "POST":
        exports.request_export(current_user, spec)
        return render_template("plans/export_queued.html", back=back)
    count = exports.count_rows(current_user, spec)
    if exports.is_large(count):
        return render_template("plans/export_large.html", count=count, back=back, action=request.full_path)
    return _xlsx(*exports.build_export(current_user, spec))


@bp.route("/plans/<int:plan_id>/export.xlsx", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.view")
def export_plan(plan: Plan):
    """The plan's tasks (those the user sees) as .xlsx."""
    return _export({"plan_id": plan.id}, plan_url(plan))


@bp.route("/tasks/export.xlsx", methods=["GET", "POST"])
@login_required
def export_task_list():
    """The task list as .xlsx, with the list page's filters (query string)."""
    permissions.require(current_user, "task.view")
    spec = exports.filters_to_spec(exports.filters_from_args(request.args))
    try:
        back = url_for("plans.task_list", **request.args)
    except BuildError:
        back = url_for("main.home")
    return _export(spec, back)


@bp.route("/exports/<token>")
@login_required
def export_download(token: str):
    """A background export, for the user who asked for it only."""
    attachment = exports.get_export(current_user, token)
    return storage.send_attachment(attachment, download=True, mimetype=XLSX_MIME)
