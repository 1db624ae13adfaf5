"""Importing the province's index from .xlsx: upload → per-row preview → confirm."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Attachment, OrgUnit, db

from ..errors import NotFound, ValidationError
from ..security import permissions
from . import bp, imports
from .forms import ImportForm


def _coordinating_unit() -> OrgUnit:
    """The unit whose index the user manages (their coordinator membership)."""
    roles = permissions.ACTIONS["par.manage"]
    unit_id = next((m.unit_id for m in current_user.memberships if m.role in roles), None)
    if unit_id is None:
        abort(403)
    return db.session.get(OrgUnit, unit_id)


@bp.route("/nhap", methods=["GET", "POST"])
@login_required
def import_index():
    permissions.require(current_user, "par.manage")
    unit, form = _coordinating_unit(), ImportForm()
    preview, status = None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if not form.validate() or upload is None or not upload.filename:
            form.file.errors = [*form.file.errors, _("Chọn tệp Excel (.xlsx) của bộ chỉ số.")]
            status = 422
        else:
            try:
                preview = imports.preview(current_user, unit, upload.stream, upload.filename)
                status = 422 if preview.error_count else 200
            except ValidationError as exc:
                form.file.errors = [*form.file.errors, _(exc.message)]
                status = 422
    return render_template("par/import.html", form=form, preview=preview, columns=imports.COLUMNS), status


@bp.route("/nhap/xac-nhan", methods=["POST"])
@login_required
@permissions.body_ids(token=Attachment)
def confirm_import():
    permissions.require(current_user, "par.manage")
    form = ImportForm()
    if not form.validate() or not form.token.data:
        flash(_("Tải tệp lên và xem trước trước khi xác nhận."), "error")
        return redirect(url_for("par.import_index"), 303)
    try:
        index = imports.confirm(current_user, _coordinating_unit(), form.token.data, year=form.year.data,
                               level=form.level.data, title=form.title.data)
    except ValidationError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("par.import_index"), 303)
    except NotFound:
        abort(404)
    flash(_("Đã nhập bộ chỉ số (%(n)s tiêu chí thành phần).", n=sum(len(c.subs) for a in index.areas
                                                                   for c in a.criteria)), "success")
    return redirect(url_for("par.index_detail", index_id=index.id), 303)
