"""Administration pages: bulk import of units and users from .xlsx (upload → preview → confirm)."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..security import permissions
from ..web.sheets import MAX_IMPORT_BYTES, PREVIEW_LOST, XLSX_MIME
from . import bp, services
from .forms import ConfirmImportForm, ImportForm
from .import_sheets import MAX_IMPORT_ROWS
from .imports import columns_of

_KIND = "<any(units, users):kind>"
_ACTION = {"units": "unit.manage", "users": "user.manage"}
_LIST = {"units": "admin.units", "users": "admin.users"}


def _upload_page(kind: str, form: ImportForm, status: int = 200):
    return render_template("admin/import_upload.html", kind=kind, form=form, columns=columns_of(kind),
                           max_mb=MAX_IMPORT_BYTES // (1024 * 1024), max_rows=MAX_IMPORT_ROWS), status


@bp.route(f"/import/{_KIND}", methods=["GET", "POST"])
@login_required
def import_upload(kind: str):
    """Upload a sheet and see every row checked; nothing is imported yet."""
    permissions.require(current_user, _ACTION[kind])
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(kind, form, 422 if form.errors else 200)
    upload = form.file.data
    try:
        preview = services.preview_import(current_user, kind, upload.stream, upload.filename or "")
    except ValidationError as exc:
        form.file.errors.append(_(exc.message))
        return _upload_page(kind, form, 422)
    confirm = ConfirmImportForm(attachment_id=preview.attachment_id)
    return render_template("admin/import_preview.html", kind=kind, preview=preview, columns=columns_of(kind),
                           confirm=confirm, upload=ImportForm()), (422 if preview.error_count else 200)


@bp.route(f"/import/{_KIND}/confirm", methods=["POST"])
@login_required
def import_confirm(kind: str):
    """Import every row of the previewed file in one transaction, or none."""
    permissions.require(current_user, _ACTION[kind])
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_(PREVIEW_LOST), "error")
        return redirect(url_for("admin.import_upload", kind=kind), 303)
    try:
        created = services.confirm_import(current_user, kind, form.attachment_id.data)
    except ValidationError as exc:  # back to the upload page (303), never left on the POST address
        flash(_(exc.message), "error")
        return redirect(url_for("admin.import_upload", kind=kind), 303)
    if kind == "units":
        flash(_("Đã nhập %(n)d đơn vị.", n=len(created)), "success")
    else:
        flash(_("Đã nhập %(n)d người dùng. Tài khoản mới chưa có mật khẩu: khi bàn giao, mở từng người dùng "
                "và bấm “Cấp mật khẩu tạm thời”.", n=len(created)), "success")
    return redirect(url_for(_LIST[kind]))


@bp.route(f"/import/{_KIND}/template.xlsx")
@login_required
def import_template(kind: str):
    """The blank .xlsx template for this import."""
    permissions.require(current_user, _ACTION[kind])
    filename = "mau-nhap-don-vi.xlsx" if kind == "units" else "mau-nhap-nguoi-dung.xlsx"
    return Response(services.template_bytes(kind), mimetype=XLSX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
