"""Chỉ số CCHC records for tests and the route walk: a small index, a round, an assessment, a score;
the `par` fixture (a pytest plugin, registered in tests/conftest.py): an open round and its steps."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from inspection.par import appraisal, assessments, rounds
from models import (
    Membership,
    ParAppraiser,
    ParAssessment,
    ParCriterion,
    ParEvidence,
    ParIndex,
    ParIndexArea,
    ParRound,
    ParScore,
    ParSubCriterion,
    db,
)
from models.enums import Role
from tests.factories import PDF_BYTES, make_unit

BANDS = [[80, "Tốt"], [70, "Khá"], [50, "Trung bình"], [0, "Yếu"]]
# (code, area, max, rule, bands, allows N/A)
SMALL_INDEX = [
    ("1.1.1", "1", 2, "yes_no", None, False),
    ("1.2.1", "1", 4, "banded", [[98, 4], [95, 2]], False),
    ("2.1.1", "2", 3, "typed", None, True),
    ("9.1.1", "9", 2, "penalty", None, False),
]


def _free_year(unit, level: str) -> int:
    taken = db.session.query(func.max(ParIndex.year)).filter_by(unit_id=unit.id, level=level).scalar()
    return 2026 if taken is None else taken + 1


def make_index(unit, *, year=None, level="commune", subs=SMALL_INDEX) -> ParIndex:
    year = year or _free_year(unit, level)
    index = ParIndex(unit_id=unit.id, year=year, level=level, title=f"Bộ chỉ số CCHC cấp xã năm {year}")
    db.session.add(index)
    db.session.flush()
    areas = {}
    for position, (code, area_code, maximum, rule, bands, allows_na) in enumerate(subs):
        if area_code not in areas:
            areas[area_code] = ParIndexArea(code=area_code, name=f"Lĩnh vực {area_code}", position=len(areas))
            index.areas.append(areas[area_code])
        criterion = ParCriterion(code=code.rsplit(".", 1)[0], text=f"Tiêu chí {code}", position=position)
        areas[area_code].criteria.append(criterion)
        criterion.subs.append(ParSubCriterion(index_id=index.id, code=code, text=f"Tiêu chí thành phần {code}",
                                              max_points=Decimal(maximum), rule=rule, bands=bands, position=position,
                                              allows_na=allows_na, evidence_required=rule != "penalty"))
    db.session.flush()
    return index


def make_round(unit, *, year=None, status="self_assessment", index=None) -> ParRound:
    index = index or make_index(unit, year=year)
    year = index.year
    round_ = ParRound(index_id=index.id, unit_id=unit.id, year=year, status=status, bands=BANDS,
                      self_due=date(year, 10, 15), appraisal_due=date(year, 11, 15),
                      explanation_due=date(year, 11, 30), publish_due=date(year, 12, 20))
    db.session.add(round_)
    db.session.flush()
    return round_


def make_assessment(unit, *, round_=None, status="draft") -> ParAssessment:
    round_ = round_ or make_round(unit)
    assessment = ParAssessment(round_id=round_.id, unit_id=unit.id, status=status)
    db.session.add(assessment)
    db.session.flush()
    for sub in db.session.query(ParSubCriterion).filter_by(index_id=round_.index_id).order_by(ParSubCriterion.id):
        db.session.add(ParScore(assessment_id=assessment.id, unit_id=unit.id, sub_id=sub.id))
    db.session.flush()
    return assessment


def make_score(anchor) -> ParScore:
    """A score of a new commune under `anchor`, submitted and under appraisal in a round `anchor`
    coordinates, whose appraisers are the anchor's inspectors (as new_inspection_of's team): the
    commune is not their own unit."""
    round_ = make_round(anchor, status="appraisal")
    inspectors = db.session.execute(select(Membership.user_id).where(
        Membership.unit_id == anchor.id, Membership.role == Role.INSPECTOR)).scalars()
    round_.appraisers = [ParAppraiser(user_id=uid) for uid in inspectors]
    commune = make_unit(name="Ủy ban nhân dân xã Mới Đánh Giá", parent=anchor)
    assessment = make_assessment(commune, round_=round_, status="submitted")
    score = db.session.query(ParScore).filter_by(assessment_id=assessment.id).order_by(ParScore.id).first()
    score.self_points = Decimal(2)
    db.session.flush()
    return score


__all__ = ["make_assessment", "make_assessment_with_pack", "make_index", "make_round", "make_score"]


def make_evidence(anchor) -> ParEvidence:
    """An uploaded evidence file of a score of a new commune under `anchor` (make_score)."""
    from inspection.files import storage

    score = make_score(anchor)
    attachment = storage.store(io.BytesIO(PDF_BYTES), "ke-hoach-cchc.pdf", kind="par_evidence", unit_id=score.unit_id)
    db.session.flush()
    evidence = ParEvidence(score_id=score.id, unit_id=score.unit_id, attachment_id=attachment.id,
                           title="Kế hoạch CCHC năm 2026")
    db.session.add(evidence)
    db.session.flush()
    return evidence


def make_assessment_with_pack(unit) -> ParAssessment:
    """An assessment whose evidence pack the worker's job has built (the route walk downloads it)."""
    from inspection.par import evidence_pack

    assessment = make_assessment(unit)
    evidence_pack.build_pack(assessment.id)
    return assessment


DATES = {"self_due": date(2026, 10, 15), "appraisal_due": date(2026, 11, 15),
         "explanation_due": date(2026, 11, 30), "publish_due": date(2026, 12, 20)}


@pytest.fixture
def par(scenario):
    """The province's commune index of 2026 and its open round (An Phước, Tân Phước, Tân Hồng Thành)."""
    coordinator = scenario.user_for(Role.COORDINATOR)
    index = make_index(scenario.units["pc"])
    round_ = rounds.open_round(coordinator, index, dates=DATES)
    ap = next(a for a in round_assessments(round_) if a.unit_id == scenario.units["an_phuoc"].id)
    return SimpleNamespace(s=scenario, index=index, round=round_, an_phuoc=ap, scores=_by_code(ap),
                           officer=scenario.user_for(Role.UNIT_OFFICER), head=scenario.user_for(Role.UNIT_HEAD),
                           coordinator=coordinator, inspector=scenario.user_for(Role.INSPECTOR))


def round_assessments(round_):
    return list(db.session.execute(select(ParAssessment).where(ParAssessment.round_id == round_.id)).scalars())


def _by_code(assessment) -> dict[str, ParScore]:
    return {s.sub.code: s for s in assessments.scores_of(assessment)}


def save_points(p, values: dict, actor=None):
    entries = {p.scores[code].id: {"points": v, "note": "Đã thực hiện"} for code, v in values.items()}
    return assessments.save_self_assessment(actor or p.officer, p.an_phuoc, entries, version=p.an_phuoc.version)


def add_evidence_for(p, code):
    upload = FileStorage(io.BytesIO(PDF_BYTES), filename=f"kiem-chung-{code}.pdf", content_type="application/pdf")
    appraisal.add_evidence(p.officer, p.scores[code], upload=upload)


def submit_for_appraisal(p):
    save_points(p, {"1.1.1": "2", "1.2.1": "4", "2.1.1": "3", "9.1.1": "-1"})
    for code in ("1.1.1", "1.2.1", "2.1.1"):
        add_evidence_for(p, code)
    assessments.submit_assessment(p.head, p.an_phuoc, version=p.an_phuoc.version)
    rounds.advance(p.coordinator, p.round)
