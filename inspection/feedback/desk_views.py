"""Staff pages of the desks: a unit's desks and their posters, each desk's figures, the figures of
every desk the user sees and their .xlsx export."""

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Desk, OrgUnit, db

from ..errors import InvalidTransition, ValidationError
from ..language.formatting import format_number, local_today, parse_date
from ..security import permissions
from ..web.charts import Line, line_chart
from ..web.sheets import XLSX_MIME
from . import bp, desks, figures
from .exports import figures_workbook
from .forms import ELEMENT_SHORT, ActionForm, DeskForm


def _period() -> tuple[date, date]:
    """?start=&end= (dd/mm/yyyy); this year to today by default."""
    today = local_today()
    start = parse_date(request.args.get("start", "")) or today.replace(month=1, day=1)
    end = parse_date(request.args.get("end", "")) or today
    return (start, end) if start <= end else (end, start)


@bp.route("/feedback")
@login_required
def overview():
    """The figures of every desk the user sees, over a period."""
    permissions.require(current_user, "desk.view")
    start, end = _period()
    rows = figures.desk_figures(current_user, start, end)
    return render_template("feedback/overview.html", rows=rows, start=start, end=end, labels=ELEMENT_SHORT,
                           min_sample=current_app.config["FEEDBACK_MIN_SAMPLE"])


@bp.route("/feedback/export")
@login_required
def export_figures():
    """The same figures as an .xlsx file."""
    permissions.require(current_user, "desk.view")
    start, end = _period()
    content = figures_workbook(figures.desk_figures(current_user, start, end), start, end)
    name = f"danh-gia-mot-cua-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return Response(content, mimetype=XLSX_MIME, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _render_unit(unit: OrgUnit, form: DeskForm, status: int = 200):
    return render_template("feedback/unit_desks.html", unit=unit, desks=desks.desks_of(unit), form=form,
                           action_form=ActionForm()), status


@bp.route("/units/<int:unit_id>/desks")
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "desk.view")
def unit_desks(unit: OrgUnit):
    """A unit's one-stop desks, their posters and the form to add one."""
    return _render_unit(unit, DeskForm(formdata=None))


@bp.route("/units/<int:unit_id>/desks", methods=["POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "desk.manage")
def create_desk(unit: OrgUnit):
    """Add a desk to the unit."""
    form = DeskForm()
    if not form.validate_on_submit():
        return _render_unit(unit, form, 422)
    try:
        desk = desks.create_desk(current_user, unit, name=form.name.data, procedures=form.procedures.data or "")
    except ValidationError as exc:
        getattr(form, exc.field or "name").errors = [_(exc.message)]
        return _render_unit(unit, form, 422)
    flash(_("Đã thêm “%(name)s”. In áp phích mã QR để niêm yết tại bộ phận.", name=desk.name), "success")
    return redirect(url_for("feedback.desk_detail", desk_id=desk.id), 303)


def _trend_chart(desk: Desk, end: date):
    points = figures.monthly_trend([desk.id], end)
    labels = [f"{m:%m/%Y}" for m, _f in points]
    values = [round(f.rate, 1) if f.rate is not None else None for _m, f in points]
    captions = [f"{f.satisfied}/{f.count} ({format_number(f.rate, 1)}%)" if f.count else "–" for _m, f in points]
    line = Line(_("Tỷ lệ hài lòng"), "#1f4e8c", values, captions)
    return line_chart(_("Tỷ lệ hài lòng theo tháng"), labels, [line], chart_id="desk-trend")


@bp.route("/desks/<int:desk_id>")
@login_required
@permissions.scoped_view(Desk, "desk_id", "desk.view", as_name="desk")
def desk_detail(desk: Desk):
    """A desk's figures per element over a period, its monthly trend, its poster."""
    start, end = _period()
    found = figures.desk_figures(current_user, start, end, unit_id=desk.unit_id)
    mine = next(f for f in found if f.desk_id == desk.id)
    return render_template("feedback/desk.html", desk=desk, unit=db.session.get(OrgUnit, desk.unit_id), fig=mine,
                           start=start, end=end, labels=ELEMENT_SHORT, chart=_trend_chart(desk, end),
                           action_form=ActionForm(),
                           min_sample=current_app.config["FEEDBACK_MIN_SAMPLE"])


@bp.route("/desks/<int:desk_id>/revoke", methods=["POST"])
@login_required
@permissions.scoped_view(Desk, "desk_id", "desk.manage", as_name="desk")
def revoke_desk_token(desk: Desk):
    """Revoke the desk's QR code: the posters printed so far stop working."""
    if ActionForm().validate_on_submit():
        try:
            desks.revoke_token(current_user, desk)
        except InvalidTransition as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã thu hồi mã QR cũ: áp phích đã in trả lời “Mã QR này không còn hiệu lực”. "
                    "Hãy in áp phích mới."), "success")
    return redirect(url_for("feedback.desk_detail", desk_id=desk.id), 303)


@bp.route("/desks/<int:desk_id>/poster", methods=["POST"])
@login_required
@permissions.scoped_view(Desk, "desk_id", "desk.manage", as_name="desk")
def desk_poster(desk: Desk):
    """Ask for the desk's A4 poster (rendered by the worker)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("feedback.desk_detail", desk_id=desk.id), 303)
    report = desks.request_poster(current_user, desk, request.host_url)
    return redirect(url_for("reports.status_page", report_id=report.id), 303)
