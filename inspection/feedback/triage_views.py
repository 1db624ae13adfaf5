"""The coordinator's triage list of complaints, and one answer's page (for the unit, once shared)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Desk, Feedback, OrgUnit, db

from ..errors import InvalidTransition, ValidationError
from ..language.formatting import local_today
from ..security import permissions
from ..web.refused_forms import refuse, refused_form
from . import bp, triage
from .forms import ELEMENT_SHORT, POINT_LABELS, ActionForm, TriageForm


@bp.route("/feedback/triage")
@login_required
def triage_list():
    """Complaints waiting for the coordinator, and the desks listed for a surprise inspection."""
    permissions.require(current_user, "feedback.triage")
    return render_template("feedback/triage.html", rows=triage.complaints(current_user), labels=ELEMENT_SHORT,
                           listed=triage.listed_desks(current_user))


def _render_answer(answer: Feedback, form: TriageForm):
    desk = db.session.get(Desk, answer.desk_id)
    return render_template("feedback/answer.html", answer=answer, desk=desk, form=form, action_form=ActionForm(),
                           unit=db.session.get(OrgUnit, answer.unit_id), labels=ELEMENT_SHORT, points=POINT_LABELS,
                           status_labels=triage.STATUS_LABELS, today=local_today())


@bp.route("/feedback/answers/<int:answer_id>")
@login_required
@permissions.scoped_view(Feedback, "answer_id", "feedback.view", as_name="answer")
def answer_detail(answer: Feedback):
    """One answer: scores, procedure, comment; the triage forms for the coordinator (drawn again with
    what was typed after a refusal)."""
    given = refused_form(f"answer:{answer.id}", {"form": TriageForm})
    return _render_answer(answer, given.get("form") or TriageForm(formdata=None))


def _decided(answer: Feedback, call, done: str):
    form = TriageForm()
    if not form.validate_on_submit():
        return refuse(f"answer:{answer.id}", "form", form, "feedback.answer_detail", answer_id=answer.id)
    try:
        call(form)
    except ValidationError as exc:
        getattr(form, exc.field or "note").errors = [_(exc.message)]
        return refuse(f"answer:{answer.id}", "form", form, "feedback.answer_detail", answer_id=answer.id)
    except InvalidTransition as exc:
        flash(_(exc.message), "error")
    else:
        flash(done, "success")
    return redirect(url_for("feedback.answer_detail", answer_id=answer.id), 303)


@bp.route("/feedback/answers/<int:answer_id>/dismiss", methods=["POST"])
@login_required
@permissions.scoped_view(Feedback, "answer_id", "feedback.triage", as_name="answer")
def dismiss_answer(answer: Feedback):
    """Do not act on the complaint, with a reason."""
    return _decided(answer, lambda f: triage.dismiss(current_user, answer, reason=f.note.data or ""),
                    _("Đã ghi nhận: không xử lý phản ánh."))


@bp.route("/feedback/answers/<int:answer_id>/finding", methods=["POST"])
@login_required
@permissions.scoped_view(Feedback, "answer_id", "feedback.triage", as_name="answer")
def open_finding(answer: Feedback):
    """Open a finding for the desk's unit, with its remediation action."""
    def call(form):
        triage.open_finding(current_user, answer, severity=form.severity.data, description=form.description.data or "",
                            action=form.action.data or "", deadline=form.deadline.data, quote=form.quote.data == "yes")
    return _decided(answer, call, _("Đã mở tồn tại và yêu cầu đơn vị khắc phục."))


@bp.route("/feedback/answers/<int:answer_id>/list", methods=["POST"])
@login_required
@permissions.scoped_view(Feedback, "answer_id", "feedback.triage", as_name="answer")
def list_desk(answer: Feedback):
    """Put the desk on the next surprise inspection's list."""
    return _decided(answer, lambda f: triage.list_for_inspection(current_user, answer, note=f.note.data or ""),
                    _("Đã đưa bộ phận vào danh sách kiểm tra đột xuất."))


@bp.route("/feedback/answers/<int:answer_id>/share", methods=["POST"])
@login_required
@permissions.scoped_view(Feedback, "answer_id", "feedback.triage", as_name="answer")
def share_answer(answer: Feedback):
    """Show this answer to the desk's unit."""
    if ActionForm().validate_on_submit():
        triage.share(current_user, answer)
        flash(_("Đơn vị đã xem được phiếu này."), "success")
    return redirect(url_for("feedback.answer_detail", answer_id=answer.id), 303)
