"""A unit's self-assessment page (scores, explanations, evidence, submission) and one score's page
(history, evidence, appraisal, the unit's explanation)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import ParAssessment, ParEvidence, ParScore, ParScoreChange, db

from ..data import replica
from ..errors import Conflict, InvalidTransition, StorageUnavailable
from ..files import storage
from ..security import permissions
from ..web.refused_forms import REFUSALS, keep_refusal, refused_form, refused_values
from . import appraisal, assessments, bp, results
from .forms import ActionForm, AppraiseForm, EvidenceForm, ReplyForm


def _entries(score_ids) -> dict[int, dict]:
    form = request.form
    return {sid: {"points": form.get(f"points_{sid}", ""), "na": form.get(f"na_{sid}"),
                  "note": form.get(f"note_{sid}", "")} for sid in score_ids if f"note_{sid}" in form}


def _ranking(assessment) -> tuple[list | None, int | None]:
    """The published ranking (after publication only), read as the round page reads it (from a
    replica when there is one), and how old it is when that is worth saying."""
    if assessment.round.status != "published":
        return None, None
    with replica.reads() as source:
        return results.round_results(assessment.round), source.shown_lag()


@bp.route("/tu-danh-gia/<int:assessment_id>")
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.view", as_name="assessment")
def assessment_page(assessment):
    return _assessment_page(assessment)


def _assessment_page(assessment):
    """The page; after a refused save, its fields hold what was typed (refused.py)."""
    rows = assessments.sheet(assessment)
    problems = assessments.submission_problems(assessment, rows) if assessment.status == "draft" else []
    ranking, ranking_lag = _ranking(assessment)
    return render_template("par/assessment.html", assessment=assessment, rows=rows, problems=problems,
                           ranking=ranking, ranking_lag=ranking_lag, editable=_editable(assessment),
                           typed=refused_values(f"assessment:{assessment.id}"),
                           action_form=ActionForm(version=assessment.version))


@bp.route("/tu-danh-gia/<int:assessment_id>/luu", methods=["POST"])
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.self_assess", as_name="assessment")
def save_assessment(assessment):
    """The officers' draft: every score checked before anything is stored."""
    score_ids = [s.id for s in assessments.scores_of(assessment)]
    try:
        changed = assessments.save_self_assessment(current_user, assessment, _entries(score_ids),
                                                   version=request.form.get("version"))
    except REFUSALS as exc:  # back to the page (303), what was typed kept; a stale version drawn anew
        db.session.rollback()
        flash(_(exc.message), "error")
        keep_refusal(f"assessment:{assessment.id}", "entries", None, forget=("version",))
        return redirect(url_for("par.assessment_page", assessment_id=assessment.id), 303)
    flash(_("Đã lưu bản nháp tự đánh giá (%(n)s tiêu chí thay đổi).", n=changed), "success")
    return redirect(url_for("par.assessment_page", assessment_id=assessment.id), 303)


def _editable(assessment) -> bool:
    return (assessment.status == "draft" and assessment.round.status == "self_assessment"
            and permissions.can(current_user, "par.self_assess", assessment))


@bp.route("/tu-danh-gia/<int:assessment_id>/nop", methods=["POST"])
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.submit", as_name="assessment")
def submit_assessment(assessment):
    try:
        assessments.submit_assessment(current_user, assessment, version=request.form.get("version"))
    except REFUSALS as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("par.assessment_page", assessment_id=assessment.id), 303)
    flash(_("Đã nộp bản tự đánh giá; bản tự đánh giá đã được khóa để thẩm định."), "success")
    return redirect(url_for("par.assessment_page", assessment_id=assessment.id), 303)


SCORE_FORMS = {"appraise_form": AppraiseForm, "reply_form": ReplyForm, "evidence_form": EvidenceForm}


def _score_page(score):
    """The score's page; a form refused just before is drawn again with what was typed, and a stale
    save shows the current value above it (refused.py)."""
    history = db.session.execute(select(ParScoreChange).where(ParScoreChange.score_id == score.id)
                                 .order_by(ParScoreChange.at, ParScoreChange.id)).scalars()
    forms = refused_form(f"score:{score.id}", SCORE_FORMS, version=score.version)
    current = forms.pop("extra", {}).get("current")
    forms.setdefault("appraise_form", AppraiseForm(version=score.version))
    forms.setdefault("reply_form", ReplyForm(version=score.version, reply=score.reply))
    forms.setdefault("evidence_form", EvidenceForm())
    return render_template("par/score.html", score=score, assessment=score.assessment, history=list(history),
                           evidence=appraisal.evidence_of(score), current=current,
                           can_add_evidence=_can_add_evidence(score), **forms)


def _refuse_score(score, name: str, form, **kept):
    keep_refusal(f"score:{score.id}", name, form, **kept)
    return redirect(url_for("par.score_page", score_id=score.id), 303)


def _can_add_evidence(score) -> bool:
    try:
        appraisal.evidence_stage(score)
    except InvalidTransition:
        return False
    return permissions.can(current_user, "par.self_assess", score)


@bp.route("/diem/<int:score_id>")
@login_required
@permissions.scoped_view(ParScore, "score_id", "par.view", as_name="score")
def score_page(score):
    return _score_page(score)


def _score_form(score, form, name: str, save, done: str):
    """Validate `form`, call `save()`; a refusal goes back to the score page (303) with the form as
    typed, a stale version also with the current value above it."""
    if not form.validate():
        return _refuse_score(score, name, form)
    try:
        save()
    except Conflict as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _refuse_score(score, name, form, forget=("version",), current=exc.current)
    except REFUSALS as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _refuse_score(score, name, form)
    flash(done, "success")
    return redirect(url_for("par.score_page", score_id=score.id), 303)


@bp.route("/diem/<int:score_id>/tham-dinh", methods=["POST"])
@login_required
@permissions.scoped_view(ParScore, "score_id", "par.appraise", as_name="score")
def appraise_score(score):
    form = AppraiseForm()
    return _score_form(score, form, "appraise_form", lambda: appraisal.appraise_score(
        current_user, score, accept=form.decision.data == "accept", points=form.points.data,
        reason=form.reason.data, version=form.version.data),
        _("Đã lưu kết quả thẩm định tiêu chí %(code)s.", code=score.sub.code))


@bp.route("/diem/<int:score_id>/giai-trinh", methods=["POST"])
@login_required
@permissions.scoped_view(ParScore, "score_id", "par.self_assess", as_name="score")
def reply_score(score):
    form = ReplyForm()
    return _score_form(score, form, "reply_form", lambda: appraisal.reply_score(
        current_user, score, reply=form.reply.data, version=form.version.data),
        _("Đã gửi giải trình tiêu chí %(code)s.", code=score.sub.code))


@bp.route("/diem/<int:score_id>/minh-chung", methods=["POST"])
@login_required
@permissions.scoped_view(ParScore, "score_id", "par.self_assess", as_name="score")
def add_evidence(score):
    form = EvidenceForm()
    if not form.validate():
        return _refuse_score(score, "evidence_form", form)
    try:
        appraisal.add_evidence(current_user, score, upload=request.files.get("file"), link_type=form.link_type.data,
                               link_id=form.link_id.data, title=form.title.data)
    except (*REFUSALS, StorageUnavailable) as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _refuse_score(score, "evidence_form", form)
    flash(_("Đã thêm tài liệu kiểm chứng."), "success")
    return redirect(url_for("par.score_page", score_id=score.id), 303)


@bp.route("/minh-chung/<int:evidence_id>")
@login_required
@permissions.scoped_view(ParEvidence, "evidence_id", "par.view", as_name="evidence")
def evidence_file(evidence):
    """An evidence file (a linked record opens its own page instead)."""
    if evidence.attachment_id is None:
        abort(404)
    attachment = evidence.attachment
    return storage.send_attachment(attachment, download=True)
