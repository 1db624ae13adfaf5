"""Checklist template pages (bộ tiêu chí kiểm tra): the list, a template with its criteria by
area and the inspections that use it, its versions, creating, editing, copying to another year."""

from decimal import Decimal

from flask import current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from models import ChecklistTemplate, OrgUnit, db
from models.enums import INSPECTION_KIND_LABELS, INSPECTION_STATUS_LABELS

from ..errors import Conflict, InvalidTransition, ValidationError
from ..language.formatting import local_today
from ..security import permissions, scoping
from ..web.refused_forms import back_to
from . import bp, checklist_queries, checklists
from .checklist_forms import CopyTemplateForm, TemplateForm, initial_data, points_text, prototype_row

NEW_ROWS, EXTRA_ROWS = 5, 2  # empty criteria rows offered without the page script


def _render(name: str, status: int = 200, **context):
    context |= {"points_text": points_text, "inspection_url": _inspection_url,
                "INSPECTION_STATUS_LABELS": INSPECTION_STATUS_LABELS, "INSPECTION_KIND_LABELS": INSPECTION_KIND_LABELS}
    return render_template(f"inspections/{name}.html", **context), status


def _inspection_url(inspection) -> str | None:
    """The inspection's page, once the inspection pages exist."""
    try:
        return url_for("inspections.detail", inspection_id=inspection.id)
    except BuildError:
        return None


def _visible_source(checklist: ChecklistTemplate) -> ChecklistTemplate | None:
    """The template this one was copied from, when the user sees it."""
    if checklist.copied_from_id is None:
        return None
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.id == checklist.copied_from_id)
    return db.session.execute(scoping.scope(stmt, current_user, ChecklistTemplate)).scalar_one_or_none()


@bp.route("/templates")
@login_required
def template_list():
    """The current version of every template the user sees, by year, searchable without diacritics."""
    permissions.require(current_user, "template.view")
    year = request.args.get("year", type=int)
    page = checklist_queries.list_templates(
        current_user, year=year, q=request.args.get("q", ""), sort=request.args.get("sort", "year"),
        cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    if year:
        page.args["year"] = year
    return _render("template_list", page=page, year=year, years=checklist_queries.template_years(current_user),
                   units=checklist_queries.unit_names(t.unit_id for t in page.items))


@bp.route("/templates/<int:template_id>")
@login_required
@permissions.scoped_view(ChecklistTemplate, "template_id", "template.view", as_name="checklist")
def template_detail(checklist: ChecklistTemplate):
    """A template version: its criteria grouped by area, and the inspections that use it."""
    latest = checklist if checklist.is_current else checklists.latest_version(checklist)
    groups = checklist_queries.items_by_area(checklist)
    return _render("template_detail", checklist=checklist, latest=latest, groups=groups,
                   total=sum((points for _a, _i, points in groups), Decimal(0)),
                   inspections=checklist_queries.inspections_using(current_user, [checklist.id]),
                   used=checklists.is_used(checklist), copies=checklist_queries.copies_of(current_user, checklist),
                   source=_visible_source(checklist), units=checklist_queries.unit_names([checklist.unit_id]),
                   people=checklist_queries.user_names([checklist.created_by_id]),
                   copy_form=CopyTemplateForm(formdata=None, year=max(checklist.year + 1, local_today().year)))


@bp.route("/templates/<int:template_id>/versions")
@login_required
@permissions.scoped_view(ChecklistTemplate, "template_id", "template.view", as_name="checklist")
def template_versions(checklist: ChecklistTemplate):
    """Every version of a template, with the inspections that use each."""
    versions = checklist_queries.versions_of(checklist)
    used = {}
    for inspection in checklist_queries.inspections_using(current_user, [v.id for v in versions]):
        used.setdefault(inspection.template_id, []).append(inspection)
    return _render("template_versions", checklist=checklist, versions=versions, used=used,
                   people=checklist_queries.user_names(v.created_by_id for v in versions))


def _template_form(*, new: bool, initial: dict | None = None) -> TemplateForm:
    form = TemplateForm(data=initial if request.method == "GET" else None)
    if new:
        form.unit_id.choices = checklist_queries.owner_unit_choices(current_user)
    else:
        del form.unit_id  # the owner of a template does not change
    if request.method == "GET":
        form.add_blank_rows(EXTRA_ROWS if initial else NEW_ROWS)
    elif form.items.entries and not form.items.entries[-1].form.is_blank():
        form.add_blank_rows(EXTRA_ROWS)
    form.set_area_choices(_area_choices())
    return form


def _area_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("— Chọn lĩnh vực —")), *checklist_queries.area_choices()]


def _show_errors(form: TemplateForm, exc: ValidationError) -> None:
    """A refusal next to its row and field, else next to its field, else at the top."""
    rows = form.rows()
    for (index, field), message in getattr(exc, "problems", {}).items():
        rows[index].form[field].errors = [*rows[index].form[field].errors, _(message)]
    target = form._fields.get(exc.field) if exc.field else None
    if getattr(exc, "problems", None):
        flash(_("Danh sách tiêu chí còn lỗi, xem các dòng được đánh dấu bên dưới."), "error")
    elif target is not None and exc.field != "items":
        target.errors = [*target.errors, _(exc.message)]
    else:
        flash(_(exc.message), "error")


def _check_rows(form: TemplateForm) -> None:
    """On a form refused for its header fields, still mark every bad criterion row."""
    try:
        checklists.clean_items(form.template_data()["items"])
    except ValidationError as exc:
        _show_errors(form, exc)


def _form_page(form, checklist=None, conflict=None):
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return _render("template_form", status, form=form, checklist=checklist, conflict=conflict,
                   used=bool(checklist) and checklists.is_used(checklist),
                   prototype=prototype_row(_area_choices()))


@bp.route("/templates/new", methods=["GET", "POST"])
@login_required
@permissions.body_ids(unit_id=OrgUnit)
def new_template():
    """Create a checklist template: name, year, owner unit and its criteria."""
    permissions.require(current_user, "template.manage")
    form = _template_form(new=True)
    if form.validate_on_submit():
        unit = permissions.get_visible_or_404(OrgUnit, form.unit_id.data, current_user)
        try:
            checklist = checklists.create_template(current_user, unit=unit, **form.template_data())
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            flash(_("Đã tạo bộ tiêu chí kiểm tra."), "success")
            return back_to("inspections.template_detail", template_id=checklist.id)
    elif form.is_submitted():
        _check_rows(form)
    return _form_page(form)


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(ChecklistTemplate, "template_id", "template.manage", as_name="checklist")
def edit_template(checklist: ChecklistTemplate):
    """Edit the current version: in place while unused, else saved as a new version."""
    if not checklist.is_current:
        flash(_("Đây là phiên bản cũ; chỉ sửa được phiên bản hiện hành của bộ tiêu chí."), "info")
        return back_to("inspections.edit_template", template_id=checklists.latest_version(checklist).id)
    form, conflict = _template_form(new=False, initial=initial_data(checklist)), None
    if request.method == "GET":
        form.fingerprint.data = checklists.fingerprint(checklist)
    if form.validate_on_submit():
        try:
            saved = checklists.revise_template(current_user, checklist, expected=form.fingerprint.data or None,
                                              **form.template_data())
        except Conflict as exc:
            conflict = {"message": _(exc.message), "template_id": exc.current.get("template_id", checklist.id)}
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            _flash_saved(checklist, saved)
            return back_to("inspections.template_detail", template_id=saved.id)
    elif form.is_submitted():
        _check_rows(form)
    return _form_page(form, checklist, conflict)


def _flash_saved(before: ChecklistTemplate, saved: ChecklistTemplate) -> None:
    if saved.id == before.id:
        flash(_("Đã lưu bộ tiêu chí."), "success")
    else:
        flash(_("Đã lưu thành phiên bản %(new)s. Các cuộc kiểm tra đã lên lịch vẫn dùng phiên bản %(old)s.",
                new=saved.version, old=before.version), "success")


@bp.route("/templates/<int:template_id>/copy", methods=["POST"])
@login_required
@permissions.scoped_view(ChecklistTemplate, "template_id", "template.manage", as_name="checklist")
def copy_template(checklist: ChecklistTemplate):
    """Copy a template's criteria into a new template for another year."""
    form = CopyTemplateForm()
    if not form.validate_on_submit():
        for message in form.year.errors or [_("Phiên làm việc đã hết hạn, vui lòng thử lại.")]:
            flash(message, "error")
        return back_to("inspections.template_detail", template_id=checklist.id)
    try:
        copy = checklists.copy_template_to_year(current_user, checklist, form.year.data)
    except (ValidationError, InvalidTransition, Conflict) as exc:
        flash(_(exc.message), "error")
        return back_to("inspections.template_detail", template_id=checklist.id)
    flash(_("Đã sao chép thành bộ tiêu chí năm %(year)s. Hãy rà soát các tiêu chí trước khi sử dụng.",
            year=copy.year), "success")
    return back_to("inspections.edit_template", template_id=copy.id)
