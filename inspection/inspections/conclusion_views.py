"""The team lead's decisions on corrections (biên bản bổ sung), the conclusion draft (ưu điểm;
tồn tại, hạn chế; kiến nghị; per finding the remediation, its unit and deadline) and the
leader's "Ban hành kết luận", which issues the numbered document (Số: NN/TB-…)."""


from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from models import Conclusion, Correction, Inspection, db
from models.enums import InspectionStatus

from ..errors import Conflict, ValidationError
from ..language.formatting import format_date
from ..security import permissions
from ..web.refused_forms import REFUSALS, form_status, keep_refusal, show_error
from . import bp, conclusions, fieldwork, queries
from .forms import ActionForm, ConclusionForm, DecisionForm
from .views import to_inspection

DRAFTABLE = (InspectionStatus.MINUTES_CLOSED, InspectionStatus.CONCLUSION_DRAFTED)
DEADLINE_DAYS = 15  # "Sau 15 ngày kể từ khi có Thông báo kết luận kiểm tra" (domain §2.2)


@bp.route("/corrections/<int:correction_id>/decide", methods=["POST"])
@login_required
@permissions.scoped_view(Correction, "correction_id", "inspection.lead")
def decide_correction(correction: Correction):
    """The team lead accepts a correction (it joins the addendum) or rejects it."""
    inspection = db.session.get(Inspection, correction.inspection_id)
    form = DecisionForm()
    back = request.form.get("back") == "conflicts"  # decided from the tablet's conflict list
    if not form.validate_on_submit():
        flash(_("Chọn chấp nhận hoặc không chấp nhận đề nghị sửa."), "error")
        return _refuse_decision(inspection, correction, form, back)
    try:
        fieldwork.decide_correction(current_user, correction, accept=form.decision.data == "accept",
                                    note=form.note.data or "")
    except ValidationError as exc:
        show_error(form, exc)
        return _refuse_decision(inspection, correction, form, back)
    except REFUSALS as exc:
        flash(_(exc.message), "error")
    else:
        flash(_("Đã chấp nhận: nội dung được đưa vào biên bản bổ sung.") if correction.status == "accepted"
              else _("Đã không chấp nhận đề nghị sửa."), "success")
    if back:
        return redirect(url_for("inspections.field_conflicts", inspection_id=inspection.id), 303)
    return to_inspection(inspection, "corrections")


def _refuse_decision(inspection: Inspection, correction: Correction, form, back: bool):
    """Back to the page the decision was taken on, its note drawn again with what was typed."""
    keep_refusal(f"{'conflicts' if back else 'inspection'}:{inspection.id}", "decision_form", form,
                 correction=correction.id)
    if back:
        return redirect(url_for("inspections.field_conflicts", inspection_id=inspection.id,
                                _anchor=f"correction-{correction.id}"), 303)
    return to_inspection(inspection, "corrections")


def _existing(inspection: Inspection) -> Conclusion | None:
    return db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar()


def _conclusion_form(inspection: Inspection, findings: list, existing: Conclusion | None) -> ConclusionForm:
    """The form, filled from the saved draft or with defaults: the target unit, no instruction yet
    (the team writes it), "trong thời hạn 15 ngày kể từ ngày ký"."""
    if request.method == "POST":
        form = ConclusionForm()
    else:
        texts = {f: getattr(existing, f) for f in conclusions.TEXT_FIELDS} if existing else {}
        form = ConclusionForm(formdata=None, version=str(existing.version) if existing else "", **texts)
        saved = {i.finding_id: i for i in getattr(existing, "items", [])}
        for finding in findings:
            item = saved.get(finding.id)
            form.items.append_entry({
                "finding_id": str(finding.id), "unit_id": item.unit_id if item else inspection.unit_id,
                "action": item.action if item else "",  # the team writes the instruction
                "deadline": item.deadline if item else None,
                "deadline_days": item.deadline_days if item else DEADLINE_DAYS})
    units = [SelectChoice(str(u.id), u.name) for u in queries.responsible_units(current_user, inspection)]
    for entry in form.items:
        entry.unit_id.choices = units
    return form


def _describe(current: dict) -> list[tuple[str, str]]:
    labels = {"summary": _("Khái quát chung"), "strengths": _("Ưu điểm"),
              "shortcomings": _("Tồn tại, hạn chế"), "causes": _("Nguyên nhân"),
              "recommendations": _("Kiến nghị")}
    return [(labels[k], current.get(k) or "") for k in labels]


@bp.route("/inspections/<int:inspection_id>/conclusion", methods=["GET", "POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def conclusion(inspection: Inspection):
    """The team lead drafts (or redrafts) the conclusion after the minutes are closed."""
    findings = conclusions.findings_of(inspection)
    form = _conclusion_form(inspection, findings, _existing(inspection))
    current = None
    if form.validate_on_submit():
        try:
            conclusions.draft_conclusion(current_user, inspection, items=form.item_data(),
                                         version=form.version.data or None, **form.texts())
        except Conflict as exc:
            flash(_(exc.message), "error")
            current = _describe(exc.current)
        except REFUSALS as exc:
            if exc.field == "items":
                flash(_(exc.message), "error")
            else:
                show_error(form, exc)
        else:
            flash(_("Đã lưu dự thảo kết luận; chờ lãnh đạo ban hành."), "success")
            return to_inspection(inspection, "conclusion")
    return render_template("inspections/conclusion.html", form=form, inspection=inspection, current=current,
                           findings={f.id: f for f in findings}, draftable=inspection.status in DRAFTABLE,
                           format_date=format_date), 409 if current else form_status()


@bp.route("/inspections/<int:inspection_id>/conclusion/issue", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "conclusion.issue")
def issue_conclusion(inspection: Inspection):
    """A leader issues the conclusion as a numbered document (Thông báo kết luận): the remediation
    actions open (no findings: the inspection closes) and the final PDF is rendered by a worker."""
    if ActionForm().validate_on_submit():
        try:
            document = conclusions.issue_conclusion_document(current_user, inspection)
        except REFUSALS as exc:
            flash(_("Chưa ban hành được kết luận kiểm tra: %(reason)s", reason=_(exc.message)), "error")
        else:
            flash(_issued_message(document.number_text, len(_existing(inspection).items)), "success")
    return to_inspection(inspection, "conclusion")


def _issued_message(number: str, actions: int) -> str:
    if not actions:
        return _("Đã ban hành Thông báo kết luận kiểm tra số %(number)s; không có tồn tại phải khắc phục, "
                 "đợt kiểm tra đã kết thúc.", number=number)
    return _("Đã ban hành Thông báo kết luận kiểm tra số %(number)s; %(n)d yêu cầu khắc phục đã được giao "
             "cho đơn vị.", number=number, n=actions)
