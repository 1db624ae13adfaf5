"""Inspection pages: the list, the month calendar, one inspection (the unit's view included),
its photos, and the desktop forms of the team on site (start, results, findings, photos, minutes).
Scheduling is in schedule_views.py; corrections and the conclusion in conclusion_views.py."""

import re
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from models import Attachment, Finding, Inspection, db, utcnow
from models.enums import (
    CHECK_VALUE_LABELS,
    CORRECTION_STATUS_LABELS,
    INSPECTION_KIND_LABELS,
    INSPECTION_STATUS_LABELS,
    REMEDIATION_STATUS_LABELS,
    SEVERITY_LABELS,
    InspectionStatus,
)

from ..errors import Conflict, ValidationError
from ..files import storage
from ..language.formatting import format_date, local_today, parse_date
from ..language.i18n import N_
from ..security import permissions
from ..web.refused_forms import REFUSALS, back_to, keep_refusal, refused_form, show_error
from . import bp, fieldwork, minutes, minutes_paper, queries
from .forms import (
    ActionForm,
    DecisionForm,
    FilterForm,
    FindingForm,
    MinutesForm,
    MinutesScanForm,
    PhotoForm,
    ResultForm,
    StartForm,
)

TEAM_ROLE_LABELS = {"lead": N_("Trưởng đoàn"), "member": N_("Thành viên"), "secretary": N_("Thư ký")}
RECORDING = (InspectionStatus.IN_PROGRESS, *fieldwork.CLOSED_STATES)
UNSTARTED = (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED)


@bp.context_processor
def _vocabulary() -> dict:
    return {"INSPECTION_STATUS_LABELS": INSPECTION_STATUS_LABELS, "INSPECTION_KIND_LABELS": INSPECTION_KIND_LABELS,
            "CHECK_VALUE_LABELS": CHECK_VALUE_LABELS, "SEVERITY_LABELS": SEVERITY_LABELS,
            "CORRECTION_STATUS_LABELS": CORRECTION_STATUS_LABELS, "TEAM_ROLE_LABELS": TEAM_ROLE_LABELS,
            "REMEDIATION_STATUS_LABELS": REMEDIATION_STATUS_LABELS, "today": local_today(),
            "change_text": change_text, "correction_text": correction_text}


def _span(values: dict) -> str:
    start, end = (format_date(parse_date(values.get(k, ""))) for k in ("start_on", "end_on"))
    return start if end in ("", start) else f"{start} – {end}"


def change_text(change, names: dict) -> str:
    """A reschedule or team change in words, old values first."""
    if change.kind == "rescheduled":
        return _("Dời lịch từ %(old)s sang %(new)s", old=_span(change.before), new=_span(change.after))
    people = lambda ids: ", ".join(names.get(i, "?") for i in ids or []) or "—"  # noqa: E731
    return _("Thay đổi đoàn kiểm tra: %(old)s → %(new)s", old=people(change.before.get("team")),
             new=people(change.after.get("team")))


def to_inspection(inspection: Inspection, anchor: str = ""):
    return redirect(url_for("inspections.detail", inspection_id=inspection.id) + (f"#{anchor}" if anchor else ""), 303)


def correction_text(correction, items: dict, findings: dict) -> str:
    """What a correction (đề nghị sửa biên bản) changes, in words."""
    payload = correction.payload
    if payload["op"] == "result":
        item = items.get(payload["item_id"])
        text = _("Tiêu chí %(code)s: %(value)s", code=item.code if item and item.code else payload["item_id"],
                 value=_(CHECK_VALUE_LABELS.get(payload["value"], payload["value"])))
        details = [payload.get("description"), payload.get("note")]
        return " — ".join([text, *[d for d in details if d]])
    if payload["op"] == "finding":
        return _("Tồn tại bổ sung (%(severity)s): %(d)s", severity=_(SEVERITY_LABELS.get(payload["severity"], "")),
                 d=payload["description"])
    finding = findings.get(payload.get("finding_id"))
    return _("Bổ sung ảnh minh chứng cho tồn tại: %(d)s", d=finding.description if finding else "")


# ---- lists

def _filters() -> tuple[FilterForm, queries.InspectionFilters]:
    form = FilterForm(request.args)
    form.unit_id.choices = [SelectChoice("", _("Mọi đơn vị"))] + [
        SelectChoice(str(uid), name) for uid, name in queries.targets_seen(current_user)]
    form.inspector_id.choices = [SelectChoice("", _("Mọi thành viên"))] + [
        SelectChoice(str(uid), name) for uid, name in queries.inspectors_seen(current_user)]
    form.validate()
    value = lambda f: None if f.errors else f.data  # noqa: E731 — a bad value is reported and ignored
    filters = queries.InspectionFilters(status=value(form.status) or None, kind=value(form.kind) or None,
                                        unit_id=value(form.unit_id), inspector_id=value(form.inspector_id),
                                        month=value(form.month), q=value(form.q) or "",
                                        start_from=value(form.start_from), start_to=value(form.start_to),
                                        progress=value(form.progress) or None,
                                        unit_level=value(form.unit_level) or None,
                                        period=value(form.period) or None)
    return form, filters


@bp.route("/inspections")
@login_required
def inspection_list():
    """The inspections the user sees, filtered by status, kind, unit, team member and month."""
    form, filters = _filters()
    page = queries.list_inspections(current_user, filters, sort=form.sort.data or "newest",
                                    cursor=request.args.get("after"), size=current_app.config["PAGE_SIZE"])
    page.args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template("inspections/list.html", form=form, page=page,
                           chip_args={k: v for k, v in page.args.items() if k != "status"},
                           counts=queries.count_by_status(current_user, filters))


@bp.route("/inspections/calendar")
@login_required
def calendar():
    """A month of inspections as a grid of weeks (no script needed)."""
    form, filters = _filters()
    month = filters.month or local_today().replace(day=1)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    args = {k: v for k, v in request.args.items() if k != "month" and v}
    return render_template("inspections/calendar.html", form=form, month=month, args=args,
                           weeks=queries.month_grid(current_user, filters, month),
                           previous=previous, following=following)


# ---- one inspection

@bp.route("/inspections/<int:inspection_id>")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.view")
def detail(inspection: Inspection):
    """One inspection: team, results, findings and photos, minutes, corrections, conclusion, remediation.
    A start or a correction's decision refused just before is drawn again with what was typed."""
    given = refused_form(f"inspection:{inspection.id}", {"start_form": StartForm, "decision_form": DecisionForm,
                                                          "scan_form": MinutesScanForm})
    return render_template("inspections/detail.html", inspection=inspection, action_form=ActionForm(),
                           start_form=given.get("start_form") or StartForm(formdata=None),
                           scan_form=given.get("scan_form") or MinutesScanForm(formdata=None),
                           minutes_document=minutes_paper.minutes_document(inspection),
                           decision=given.get("decision_form"), decided=given.get("extra", {}).get("correction"),
                           **queries.inspection_page(current_user, inspection), **_rights(inspection))


def _rights(inspection: Inspection) -> dict:
    """What the user may do here, for showing the buttons (the services check again)."""
    can = lambda action: permissions.can(current_user, action, inspection)  # noqa: E731
    rights = {"may_schedule": can("inspection.schedule"), "may_conduct": can("inspection.conduct"),
              "may_lead": can("inspection.lead"), "may_issue": can("conclusion.issue")}
    status = inspection.status
    rights["has_actions"] = bool(
        (rights["may_conduct"] and status in (*UNSTARTED, *RECORDING))
        or (rights["may_lead"] and status in fieldwork.CLOSED_STATES)
        or (rights["may_issue"] and status == InspectionStatus.CONCLUSION_DRAFTED)
        or (rights["may_schedule"] and status in (*UNSTARTED, InspectionStatus.IN_PROGRESS)))
    rights["insider"] = rights["may_schedule"] or rights["may_conduct"] or rights["may_issue"]
    return rights


def _photo(finding: Finding):
    wanted = request.args.get("p", type=int)
    photo = next((p for p in finding.photos if wanted in (None, p.id)), None)
    if photo is None:
        abort(404)
    return photo


def _send(attachment_id: int, *, download: bool):
    return storage.send_attachment(db.session.get(Attachment, attachment_id), download=download)


@bp.route("/findings/<int:finding_id>/photo")
@login_required
@permissions.scoped_view(Finding, "finding_id", "finding.view")
def finding_photo(finding: Finding):
    """A photo of the finding (?p=photo id; the first by default): the upright ≈1600 px copy."""
    return _send(_photo(finding).display_id, download=False)


@bp.route("/findings/<int:finding_id>/photo/original")
@login_required
@permissions.scoped_view(Finding, "finding_id", "finding.view")
def finding_photo_original(finding: Finding):
    """The photo exactly as taken (kept with its sha256), as a download."""
    return _send(_photo(finding).original_id, download=True)


# ---- on site, from a desktop (the tablet screen uses the JSON API and the same services)

@bp.route("/inspections/<int:inspection_id>/start", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def start(inspection: Inspection):
    """A team member starts the inspection on site (a surprise one becomes visible to its unit)."""
    form = StartForm()
    if form.validate_on_submit():
        try:
            fieldwork.start_inspection(current_user, inspection, device_time=utcnow(), location=form.location.data)
        except ValidationError as exc:
            show_error(form, exc)
        except REFUSALS as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã bắt đầu kiểm tra. Ghi kết quả từng tiêu chí."), "success")
            return back_to("inspections.record", inspection_id=inspection.id)
    keep_refusal(f"inspection:{inspection.id}", "start_form", form)
    return to_inspection(inspection)


RECORD_FORMS = {"result_form": ResultForm, "finding_form": FindingForm, "minutes_form": MinutesForm}


def _record_page(inspection: Inspection):
    """The record page; a form refused just before is drawn again with what was typed (refused.py)."""
    given = refused_form(f"record:{inspection.id}", RECORD_FORMS)
    rows = queries.checklist_rows(current_user, inspection)
    forms = {item.id: _result_form(item, result, finding) for item, result, finding in rows}
    result_form = given.get("result_form")
    if result_form is not None and (result_form.item_id.data or "").isdigit():
        forms[int(result_form.item_id.data)] = result_form
    return render_template(
        "inspections/record.html", inspection=inspection, rows=rows, forms=forms,
        current=given.get("extra", {}).get("current"), photo_form=PhotoForm(formdata=None),
        finding_form=given.get("finding_form") or FindingForm(formdata=None),
        minutes_form=given.get("minutes_form") or MinutesForm(formdata=None, obj=inspection),
        findings=queries.findings_of(current_user, inspection),
        may_lead=permissions.can(current_user, "inspection.lead", inspection), recording=inspection.status in RECORDING,
        closed=inspection.status != InspectionStatus.IN_PROGRESS)


def _refuse_record(inspection: Inspection, name: str, form, **extra):
    """Back to the record page (303) at the refused form, drawn there again with what was typed."""
    keep_refusal(f"record:{inspection.id}", name, form, **extra)
    return redirect(url_for("inspections.record", inspection_id=inspection.id) + _anchor(), 303)


def _anchor() -> str:
    anchor = request.form.get("anchor", "")
    return anchor if re.fullmatch(r"#[a-z]+(-\d+)?", anchor) else ""


def _result_form(item, result, finding) -> ResultForm:
    form = ResultForm(formdata=None, item_id=str(item.id), value=getattr(result, "value", None),
                      note=getattr(result, "note", ""), version=str(getattr(result, "version", "") or ""),
                      severity=getattr(finding, "severity", ""), description=getattr(finding, "description", ""))
    return form


@bp.route("/inspections/<int:inspection_id>/record")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def record(inspection: Inspection):
    """The checklist as forms, one per criterion, plus free findings, photos and the minutes."""
    return _record_page(inspection)


def _after_record(inspection: Inspection, saved, done: str):
    if hasattr(saved, "target_type"):  # a pending correction: the minutes are closed
        flash(_("Biên bản đã khóa: nội dung sửa được gửi trưởng đoàn duyệt (biên bản bổ sung)."), "info")
    else:
        flash(done, "success")
    return redirect(url_for("inspections.record", inspection_id=inspection.id) + _anchor(), 303)


@bp.route("/inspections/<int:inspection_id>/results", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def record_result(inspection: Inspection):
    """Record (or edit, with the version shown) one criterion's result."""
    form = ResultForm()
    if form.validate_on_submit():
        try:
            saved = fieldwork.record_result(
                current_user, inspection, item_id=form.item_id.data, value=form.value.data, note=form.note.data,
                client_uuid=form.client_uuid.data, device_time=utcnow(), severity=form.severity.data or None,
                description=form.description.data or "", version=form.version.data or None)
        except Conflict as exc:
            flash(_(exc.message), "error")
            return _refuse_record(inspection, "result_form", form, current=exc.current)
        except REFUSALS as exc:
            show_error(form, exc)
        else:
            return _after_record(inspection, saved, _("Đã lưu kết quả tiêu chí."))
    return _refuse_record(inspection, "result_form", form)


@bp.route("/inspections/<int:inspection_id>/findings", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def record_finding(inspection: Inspection):
    """Add a free finding (a shortcoming not tied to a criterion)."""
    form = FindingForm()
    if form.validate_on_submit():
        try:
            saved = fieldwork.record_finding(current_user, inspection, description=form.description.data,
                                             severity=form.severity.data, client_uuid=form.client_uuid.data,
                                             device_time=utcnow())
        except REFUSALS as exc:
            show_error(form, exc)
        else:
            return _after_record(inspection, saved, _("Đã ghi nhận tồn tại."))
    return _refuse_record(inspection, "finding_form", form)


@bp.route("/findings/<int:finding_id>/photos", methods=["POST"])
@login_required
@permissions.scoped_view(Finding, "finding_id", "inspection.conduct")
def add_photo(finding: Finding):
    """Attach a photo to a finding (checked, original kept, upright copy made)."""
    inspection = db.session.get(Inspection, finding.inspection_id)
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        try:
            saved = fieldwork.add_photo(current_user, finding, stream=upload.stream, filename=upload.filename or "anh",
                                        client_uuid=form.client_uuid.data, device_time=utcnow())
        except REFUSALS as exc:
            flash(_(exc.message), "error")
            return _refuse_record(inspection, "photo_form", form)
        return _after_record(inspection, saved, _("Đã thêm ảnh minh chứng."))
    for errors in form.errors.values():
        flash("; ".join(map(str, errors)), "error")
    return _refuse_record(inspection, "photo_form", form)


@bp.route("/inspections/<int:inspection_id>/close-minutes", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def close_minutes(inspection: Inspection):
    """The team lead closes the minutes (biên bản), naming the unit's representative."""
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            minutes.close_minutes(current_user, inspection, representative_name=form.representative_name.data,
                                  representative_title=form.representative_title.data or "", device_time=utcnow(),
                                  parts=form.parts())
        except REFUSALS as exc:
            show_error(form, exc)
        else:
            flash(_("Đã lập biên bản kiểm tra. Mọi sửa đổi từ nay là đề nghị sửa, chờ trưởng đoàn duyệt."), "success")
            return to_inspection(inspection, "minutes")
    return _refuse_record(inspection, "minutes_form", form)
