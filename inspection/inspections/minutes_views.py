"""The minutes' paper route on the inspection's page (#minutes): "In bản giấy để ký" and the
upload of the signed copy's scan. Refusals answer on that page (issue 18's mechanism)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Inspection, Report, db

from ..security import permissions
from ..web.refused_forms import REFUSALS, refuse, show_error
from . import bp, minutes_paper
from .forms import ActionForm, MinutesScanForm
from .views import to_inspection


def _report_of(document) -> int | None:
    return db.session.execute(select(Report.id).where(Report.document_id == document.id)
                              .order_by(Report.id.desc())).scalars().first()


@bp.route("/inspections/<int:inspection_id>/minutes/paper", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def print_minutes(inspection: Inspection):
    """The minutes numbered and final now; the page of their PDF, to download and print once ready."""
    if not ActionForm().validate_on_submit():
        return to_inspection(inspection, "minutes")
    try:
        document = minutes_paper.print_minutes_on_paper(current_user, inspection)
    except REFUSALS as exc:
        flash(_(exc.message), "error")
        return to_inspection(inspection, "minutes")
    flash(_("Biên bản số %(n)s: in bản này để hai bên ký, rồi tải bản chụp lên trang cuộc kiểm tra.",
            n=document.number_text), "success")
    report_id = _report_of(document)
    if report_id is None:
        return to_inspection(inspection, "minutes")
    return redirect(url_for("reports.status_page", report_id=report_id), 303)


@bp.route("/inspections/<int:inspection_id>/minutes/scan", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def attach_minutes_scan(inspection: Inspection):
    """The scan of the signed paper copy, kept with the minutes; a refusal stores nothing."""
    form = MinutesScanForm()
    if form.validate_on_submit():
        upload = form.scan.data
        try:
            document = minutes_paper.attach_minutes_scan(current_user, inspection, upload.stream,
                                                         upload.filename or "bien-ban-da-ky")
        except REFUSALS as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            flash(_("Đã lưu bản chụp biên bản số %(n)s đã ký.", n=document.number_text), "success")
            return to_inspection(inspection, "minutes")
    return refuse(f"inspection:{inspection.id}", "scan_form", form, "inspections.detail", _anchor="minutes",
                  inspection_id=inspection.id)
