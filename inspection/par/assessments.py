"""A unit's self-assessment (tự đánh giá): scores saved as a draft by its officers, submitted by
its head (then locked). Every change of a score is kept: who, when, why."""

from collections import namedtuple
from decimal import Decimal

from sqlalchemy import func, select

from models import ParAssessment, ParEvidence, ParScore, ParScoreChange, ParSubCriterion, db, utcnow

from ..data.transaction import check_version, unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.text import nfc
from ..security import audit, permissions
from .scoring import check_points, parse_points, shown
from .wording import say as gettext

MAX_NOTE = 5000
UNSCORED = ("survey",)  # set by the appraisers from the survey, never by the unit


def scores_of(assessment: ParAssessment) -> list[ParScore]:
    stmt = select(ParScore).where(ParScore.assessment_id == assessment.id).order_by(ParScore.sub_id)
    return sorted(db.session.execute(stmt).scalars(), key=lambda s: s.sub.position)


def evidence_counts(assessment: ParAssessment) -> dict[int, int]:
    stmt = (select(ParEvidence.score_id, func.count()).join(ParScore, ParScore.id == ParEvidence.score_id)
            .where(ParScore.assessment_id == assessment.id).group_by(ParEvidence.score_id))
    return dict(db.session.execute(stmt).all())


SHEET_COLUMNS = (ParScore.id, ParScore.self_points, ParScore.not_applicable, ParScore.note, ParScore.computed,
                 ParScore.appraised_points, ParScore.appraisal_reason, ParSubCriterion.code, ParSubCriterion.text,
                 ParSubCriterion.max_points, ParSubCriterion.rule, ParSubCriterion.bands, ParSubCriterion.allows_na,
                 ParSubCriterion.evidence_required)
# a row of sheet(): a plain tuple with named fields (a template reads ~20 a row; a Row's name lookup costs 6× more)
SheetRow = namedtuple("SheetRow", [column.key for column in SHEET_COLUMNS] + ["evidence"])


def sheet(assessment: ParAssessment) -> list[SheetRow]:
    """The assessment's rows in the index's order, as the self-assessment page shows them: the
    score's fields, its sub-criterion's and its number of evidence items (`evidence`), in one
    statement and without a model object per row."""
    evidence = select(func.count()).where(ParEvidence.score_id == ParScore.id).scalar_subquery()
    stmt = (select(*SHEET_COLUMNS, evidence).join(ParSubCriterion, ParSubCriterion.id == ParScore.sub_id)
            .where(ParScore.assessment_id == assessment.id).order_by(ParSubCriterion.position, ParScore.sub_id))
    return [SheetRow(*row) for row in db.session.execute(stmt)]


def note_change(actor, score: ParScore, stage: str, old, new, reason: str = "") -> None:
    db.session.add(ParScoreChange(score_id=score.id, stage=stage, old_points=old, new_points=new,
                                  reason=nfc(reason), user_id=actor.id))


def require_draft(assessment: ParAssessment) -> None:
    if assessment.status != "draft" or assessment.round.status != "self_assessment":
        raise InvalidTransition(gettext("Bản tự đánh giá đã nộp hoặc đã hết giai đoạn tự đánh giá: không sửa được."))


def _parsed(score: ParScore, entry: dict) -> tuple[Decimal | None, bool, str]:
    field = f"points_{score.id}"
    note = nfc(entry.get("note") or "")
    if len(note) > MAX_NOTE:
        raise ValidationError(gettext("Giải thích tối đa %(n)s ký tự.", n=MAX_NOTE), field=f"note_{score.id}")
    na = bool(entry.get("na"))
    if na and not score.sub.allows_na:
        raise ValidationError(gettext("Tiêu chí %(code)s không được đánh dấu không áp dụng.", code=score.sub.code),
                              field=field)
    if score.computed is not None and not score.computed.get("empty") or score.sub.rule in UNSCORED:
        return score.self_points, na, note  # computed or surveyed: the unit only explains
    points = parse_points(entry.get("points"), field)
    return (None if na or points is None else check_points(score.sub, points, field)), na, note


def save_self_assessment(actor, assessment: ParAssessment, entries: dict[int, dict], *, version) -> int:
    """Save the unit's draft: `entries` maps a score id to {"points", "na", "note"}. Every value is
    checked before anything is written; returns the number of scores changed."""
    permissions.require(actor, "par.self_assess", assessment)
    require_draft(assessment)
    check_version(assessment, version, {"status": assessment.status})
    scores = {s.id: s for s in scores_of(assessment)}
    parsed = {sid: _parsed(scores[sid], entry) for sid, entry in entries.items() if sid in scores}
    changed = 0
    with unit_of_work():
        for sid, (points, na, note) in parsed.items():
            score = scores[sid]
            if (score.self_points, score.not_applicable, score.note) == (points, na, note):
                continue
            if score.self_points != points:
                note_change(actor, score, "self", score.self_points, points)
            score.self_points, score.not_applicable, score.note = points, na, note
            changed += 1
        assessment.updated_at = utcnow()  # the version moves: another open form is now stale
        audit.record(actor, "par_assessment.saved", "par_assessment", assessment.id, unit_id=assessment.unit_id,
                     after={"changed": changed})
    return changed


def submission_problems(assessment: ParAssessment, rows=None) -> list[str]:
    """Why the assessment cannot be submitted yet (empty when it can); `rows` its sheet() when the
    caller has read it already."""
    problems = []
    for row in sheet(assessment) if rows is None else rows:
        if row.not_applicable or row.rule in UNSCORED or row.rule in ("bonus", "penalty"):
            continue
        if row.self_points is None:
            problems.append(gettext("Tiêu chí %(code)s chưa chấm điểm.", code=row.code))
        elif row.self_points > 0 and row.evidence_required and not row.computed and not row.evidence:
            problems.append(gettext("Tiêu chí %(code)s chấm %(p)s điểm nhưng chưa có tài liệu kiểm chứng.",
                                    code=row.code, p=shown(row.self_points)))
    return problems


def submit_assessment(actor, assessment: ParAssessment, *, version) -> ParAssessment:
    """The head submits the self-assessment: it is locked for the appraisal."""
    permissions.require(actor, "par.submit", assessment)
    require_draft(assessment)
    check_version(assessment, version, {"status": assessment.status})
    if problems := submission_problems(assessment):
        raise ValidationError(problems[0] + (gettext(" (và %(n)s vấn đề khác)", n=len(problems) - 1)
                                             if len(problems) > 1 else ""))
    with unit_of_work():
        assessment.status, assessment.submitted_at, assessment.submitted_by_id = "submitted", utcnow(), actor.id
        audit.record(actor, "par_assessment.submitted", "par_assessment", assessment.id,
                     unit_id=assessment.unit_id, after={"status": "submitted"})
    return assessment
