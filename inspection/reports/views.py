"""Report pages: the documents of an inspection, a plan or a unit with their "Tạo PDF" and
"Ban hành" buttons; a rendering's live status; downloads. Views never render a PDF."""

from datetime import date, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Attachment, Inspection, OrgUnit, Plan, Report, db

from ..errors import Conflict, InvalidTransition, ValidationError
from ..files import storage
from ..inspections import conclusions
from ..language.formatting import local_today, parse_date
from ..security import permissions
from . import bp, queries, services
from .choices import INSPECTION_KINDS, KINDS, ONE_PER_SUBJECT, READY, REPORT_STATUS_COLOURS, REPORT_STATUS_LABELS

REFUSED = (ValidationError, InvalidTransition, Conflict)


def _kind_cards(subject, kinds) -> list[dict]:
    may_issue = permissions.can(current_user, "document.issue", subject)
    cards = []
    for key in kinds:
        issued = queries.issued_document(key, subject)
        if issued is not None and not permissions.can(current_user, "document.view", issued):
            issued = None  # a plan's whole report, to a user without plan-wide scope
        cards.append({"kind": KINDS[key], "issued": issued, "reports": queries.reports_of(current_user, subject, key),
                      "may_issue": _may_issue(key, subject, may_issue) and not (issued and key in ONE_PER_SUBJECT)})
    return cards


def _may_issue(kind: str, subject, on_subject: bool) -> bool:
    """The leader issues the conclusion; the inspected unit its remediation report (it reports
    upward); the subject's issuing unit the rest."""
    if kind == "conclusion":
        return permissions.can(current_user, "conclusion.issue", subject)
    if kind == "remediation_report" and isinstance(subject, Inspection):
        return permissions.can(current_user, "document.issue", subject.unit)
    return on_subject


def _page(subject, kinds, *, title: str, back: str, **extra):
    subject_type = queries.subject_type_of(subject)
    return render_template("reports/documents.html", subject=subject, subject_type=subject_type, title=title,
                           back=back, cards=_kind_cards(subject, kinds), labels=REPORT_STATUS_LABELS,
                           colours=REPORT_STATUS_COLOURS, **extra)


def _kind() -> str:
    return request.form.get("kind", "")


def _ask(subject, back: str, params: dict | None = None):
    """Request a rendering; refused input is flashed and the user goes back (never a 400)."""
    kind = _kind()
    if kind not in KINDS:
        flash(_("Chọn loại văn bản cần tạo."), "error")
        return redirect(back)
    try:
        report = services.request_report(current_user, kind, subject, params=params)
    except REFUSED as exc:
        flash(_(exc.message), "error")
        return redirect(back)
    return redirect(url_for("reports.status_page", report_id=report.id))


def _issue(subject, back: str, params: dict | None = None):
    kind = _kind()
    if kind not in KINDS:
        flash(_("Chọn loại văn bản cần ban hành."), "error")
        return redirect(back)
    try:
        if kind == "conclusion":  # the inspection is concluded with it: remediation opens
            document = conclusions.issue_conclusion_document(current_user, subject)
        else:
            document = services.issue_document(current_user, kind, subject, params=params)
    except REFUSED as exc:
        flash(_(exc.message), "error")
        return redirect(back)
    flash(_("Đã ban hành văn bản số %(n)s; bản PDF chính thức đang được tạo.", n=document.number_text), "success")
    return redirect(back)


@bp.route("/reports/inspections/<int:inspection_id>")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.view")
def inspection_documents(inspection: Inspection):
    """The minutes, conclusion and remediation report of an inspection: drafts, issue, versions."""
    return _page(inspection, INSPECTION_KINDS, title=inspection.title,
                 back=url_for("inspections.detail", inspection_id=inspection.id))


@bp.route("/reports/inspections/<int:inspection_id>/request", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.view")
def request_inspection(inspection: Inspection):
    """"Tạo PDF" for an inspection's document: queued for a worker, or the existing file."""
    return _ask(inspection, url_for("reports.inspection_documents", inspection_id=inspection.id))


@bp.route("/reports/inspections/<int:inspection_id>/issue", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "report.view")
def issue_inspection(inspection: Inspection):
    """Issue an inspection's document: number, date, frozen content (the conclusion opens remediation).
    Who may issue which is the service's check (the inspected unit issues its remediation report)."""
    return _issue(inspection, url_for("reports.inspection_documents", inspection_id=inspection.id))


@bp.route("/reports/plans/<int:plan_id>")
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.view")
def plan_documents(plan: Plan):
    """The plan's progress reports: drafts, issued reports, versions."""
    return _page(plan, ("progress_report",), title=plan.title, back=url_for("plans.plan_detail", plan_id=plan.id))


@bp.route("/reports/plans/<int:plan_id>/request", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "plan.view")
def request_plan(plan: Plan):
    """"Tạo PDF" of the plan's progress report as of today."""
    return _ask(plan, url_for("reports.plan_documents", plan_id=plan.id))


@bp.route("/reports/plans/<int:plan_id>/issue", methods=["POST"])
@login_required
@permissions.scoped_view(Plan, "plan_id", "document.issue")
def issue_plan(plan: Plan):
    """Issue the plan's progress report as of today."""
    return _issue(plan, url_for("reports.plan_documents", plan_id=plan.id))


def _period() -> tuple[date, date]:
    """The period of a unit's remediation report: ?start=&end= (dd/mm/yyyy, as every date is typed),
    this year by default; a date that is not one is said so, and the default used."""
    today = local_today()
    values = {}
    for name, default in (("start", date(today.year, 1, 1)), ("end", date(today.year, 12, 31))):
        typed = request.values.get(name, "").strip()
        values[name] = parse_date(typed) if typed else default
        if values[name] is None:
            flash(_("Ngày “%(text)s” không có thật hoặc sai định dạng (nhập theo dạng dd/mm/yyyy, ví dụ "
                    "15/08/2026).", text=typed[:40]), "error")
            values[name] = default
    return values["start"], values["end"]


def _period_params() -> dict | None:
    start, end = _period()
    if end < start or end - start > timedelta(days=3 * 366):
        flash(_("Khoảng thời gian không hợp lệ (tối đa 3 năm, ngày kết thúc sau ngày bắt đầu)."), "error")
        return None
    return {"start": start.isoformat(), "end": end.isoformat()}


@bp.route("/reports/units/<int:unit_id>")
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.view")
def unit_documents(unit: OrgUnit):
    """A unit's remediation report over a period (its merged predecessors included)."""
    start, end = _period()
    return _page(unit, ("remediation_report",), title=unit.name,
                 back=url_for("admin.unit_detail", unit_id=unit.id), period=(start, end))


def _unit_post(unit: OrgUnit, work):
    back = url_for("reports.unit_documents", unit_id=unit.id, start=request.form.get("start", ""),
                   end=request.form.get("end", ""))
    params = _period_params()
    return redirect(back) if params is None else work(unit, back, params)


@bp.route("/reports/units/<int:unit_id>/request", methods=["POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "unit.view")
def request_unit(unit: OrgUnit):
    """"Tạo PDF" of a unit's remediation report for the chosen period."""
    return _unit_post(unit, _ask)


@bp.route("/reports/units/<int:unit_id>/issue", methods=["POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "document.issue")
def issue_unit(unit: OrgUnit):
    """Issue a unit's remediation report for the chosen period."""
    return _unit_post(unit, _issue)


# ---- one rendering

def _subject_page(report: Report) -> str:
    endpoints = {"inspection": ("reports.inspection_documents", "inspection_id"),
                 "plan": ("reports.plan_documents", "plan_id"), "unit": ("reports.unit_documents", "unit_id")}
    endpoint, arg = endpoints[report.subject_type]
    return url_for(endpoint, **{arg: report.subject_id}, **(report.params or {}))


def _status(report: Report) -> dict:
    ready = report.status == READY and report.attachment_id
    return {"status": report.status, "label": _(REPORT_STATUS_LABELS[report.status]), "error": report.error,
            "download": url_for("reports.download", report_id=report.id) if ready else None}


@bp.route("/reports/<int:report_id>")
@login_required
@permissions.scoped_view(Report, "report_id", "report.view")
def status_page(report: Report):
    """A rendering's status, refreshed live; the download once ready; the error and a retry if not."""
    return render_template("reports/status.html", report=report, kind=KINDS[report.kind], state=_status(report),
                           subject_page=_subject_page(report), colours=REPORT_STATUS_COLOURS)


@bp.route("/reports/<int:report_id>/status")
@login_required
@permissions.scoped_view(Report, "report_id", "report.view")
def status_json(report: Report):
    """The status as JSON, for the page's polling script."""
    response = jsonify(_status(report))
    response.headers["Cache-Control"] = "no-store"
    return response


def send_attachment(attachment_id: int | None):
    """Send a stored file as a download (404 when it is missing)."""
    attachment = db.session.get(Attachment, attachment_id) if attachment_id else None
    if attachment is None:
        abort(404)
    return storage.send_attachment(attachment, download=True)


@bp.route("/reports/<int:report_id>/download")
@login_required
@permissions.scoped_view(Report, "report_id", "report.view")
def download(report: Report):
    """The PDF of a ready rendering (old versions stay downloadable)."""
    if report.status != READY:
        return redirect(url_for("reports.status_page", report_id=report.id))
    return send_attachment(report.attachment_id)


@bp.route("/reports/<int:report_id>/retry", methods=["POST"])
@login_required
@permissions.scoped_view(Report, "report_id", "report.view")
def retry(report: Report):
    """Try a failed rendering again (a new attempt)."""
    report = services.retry_report(current_user, report)
    return redirect(url_for("reports.status_page", report_id=report.id))
