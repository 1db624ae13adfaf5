"""The evidence pack's PDF summary (tong_hop.pdf), an annex-like table in the documents' style:
per sub-criterion its code, text, maximum, self score, appraised score, reasons and number of
evidence items, grouped by area with subtotals; the totals, the unit's index and band. Plain data
first (summary), then WeasyPrint with the bundled fonts (render)."""

from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select

from models import ParAssessment, ParCriterion, ParIndexArea, ParScore, ParScoreChange, ParSubCriterion, db

from ..language.formatting import local_today
from ..reports.pdf import write_pdf
from . import results
from .assessments import evidence_counts, scores_of
from .scoring import shown

TEMPLATE = "pdf/par_pack_summary.html"
STAGE_WORDS = {"appraisal": "Thẩm định", "decision": "Thẩm định sau giải trình", "reply": "Giải trình",
               "amend_self": "Điều chỉnh bộ chỉ số", "amend_appraisal": "Điều chỉnh bộ chỉ số"}
PHASE_WORDS = {"self_assessment": "tự đánh giá", "appraisal": "thẩm định", "explanation": "giải trình",
               "decision": "thẩm định sau giải trình", "published": "đã công bố kết quả"}
STATUS_WORDS = {"draft": "đang tự đánh giá", "submitted": "đã nộp tự đánh giá", "appraised": "đã thẩm định",
                "final": "đã có kết quả"}


def _reasons(score_ids: list[int]) -> dict[int, list[str]]:
    """The reasons of every score change (appraisal, explanation, final decision), in order."""
    reasons: dict[int, list[str]] = {}
    stmt = (select(ParScoreChange.score_id, ParScoreChange.stage, ParScoreChange.reason)
            .where(ParScoreChange.score_id.in_(score_ids), ParScoreChange.reason != "").order_by(ParScoreChange.id))
    for score_id, stage, reason in db.session.execute(stmt):
        words = STAGE_WORDS.get(stage)
        reasons.setdefault(score_id, []).append(f"{words}: {reason}" if words else reason)
    return reasons


def _areas(index_id: int) -> dict[int, tuple[str, str]]:
    """Sub-criterion id → (area code, area name)."""
    stmt = (select(ParSubCriterion.id, ParIndexArea.code, ParIndexArea.name)
            .join(ParCriterion, ParCriterion.id == ParSubCriterion.criterion_id)
            .join(ParIndexArea, ParIndexArea.id == ParCriterion.area_id).where(ParSubCriterion.index_id == index_id))
    return {sub_id: (code, name) for sub_id, code, name in db.session.execute(stmt)}


def _row(score: ParScore, reasons: list[str], evidence: int) -> dict:
    """One sub-criterion's row; the appraisal's reason is shown even without its history row."""
    appraised, reason = score.appraised_points, score.appraisal_reason
    if reason and not any(r.endswith(reason) for r in reasons):
        reasons = [f"{STAGE_WORDS['appraisal']}: {reason}", *reasons]
    return {"code": score.sub.code, "text": score.sub.text, "max": shown(score.sub.max_points),
            "extra": score.sub.rule in results.EXTRA_RULES, "na": score.not_applicable,
            "self": "–" if score.self_points is None else shown(score.self_points),
            "appraised": "–" if appraised is None else shown(appraised), "reasons": reasons, "evidence": evidence}


def _groups(scores, areas, counts, reasons, result) -> list[dict]:
    """The rows by area, each area with its maximum, self and final points."""
    groups: dict[str, dict] = {}
    for s in scores:
        code, name = areas[s.sub_id]
        group = groups.setdefault(code, {"code": code, "name": name, "rows": [], "self": 0})
        group["rows"].append(_row(s, reasons.get(s.id, []), counts.get(s.id, 0)))
        group["self"] += 0 if s.not_applicable else s.self_points or 0
    for code, group in groups.items():
        final, maximum = result.areas.get(code, (0, 0))
        group.update(self=shown(group["self"]), final=shown(final), max=shown(maximum))
    return list(groups.values())


def summary(assessment: ParAssessment) -> dict:
    """The plain data of the summary of `assessment`."""
    round_ = assessment.round
    scores = scores_of(assessment)
    areas, counts = _areas(round_.index_id), evidence_counts(assessment)
    rows = [(SimpleNamespace(max_points=s.sub.max_points, rule=s.sub.rule, area_code=areas[s.sub_id][0]), s)
            for s in scores]
    result = results.unit_result(assessment.unit_id, assessment.unit.name, rows, round_.bands)
    counted = [s for s in scores if not s.not_applicable]
    return {"unit": assessment.unit.name, "year": round_.year, "index_title": round_.index.title,
            "phase": PHASE_WORDS.get(round_.status, round_.status),
            "status": STATUS_WORDS.get(assessment.status, assessment.status), "published": round_.status == "published",
            "areas": _groups(scores, areas, counts, _reasons([s.id for s in scores]), result),
            "total": {"max": shown(result.maximum), "final": shown(result.points),
                      "self": shown(sum(s.self_points or 0 for s in counted)), "evidence": sum(counts.values())},
            "unappraised": any(s.appraised_points is None for s in counted),
            "index": f"{result.index:.2f}".replace(".", ","), "band": result.band,
            "made_on": local_today().strftime("%d/%m/%Y")}


def render(assessment: ParAssessment) -> bytes:
    """The summary's PDF (the Nghị định 30 fonts and stylesheet, A4)."""
    html = current_app.jinja_env.get_template(TEMPLATE).render(doc=summary(assessment))
    return write_pdf(html, {})
