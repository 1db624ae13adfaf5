"""Results of a round: per unit, index = (appraised points + survey points) ÷ applicable maximum
× 100 with two decimals; the band from the round's thresholds; the ranking with ties (1, 2, 2, 4);
per area; the change against last year's round of the same index level (points and rank)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from models import OrgUnit, ParAssessment, ParCriterion, ParIndex, ParIndexArea, ParRound, ParScore, ParSubCriterion, db

from .scoring import CENT

EXTRA_RULES = ("bonus", "penalty")  # outside the maximum: they move the points, never the denominator


@dataclass
class UnitResult:
    unit_id: int
    unit_name: str
    points: Decimal = Decimal(0)
    maximum: Decimal = Decimal(0)
    areas: dict = field(default_factory=dict)  # area code → [points, maximum]
    index: Decimal = Decimal(0)
    band: str = ""
    rank: int = 0
    previous: "UnitResult | None" = None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.index - self.previous.index

    @property
    def rank_change(self) -> int | None:
        return None if self.previous is None else self.previous.rank - self.rank


def final_points(score) -> Decimal:
    """The appraised score where there is one, the self score otherwise."""
    chosen = score.appraised_points if score.appraised_points is not None else score.self_points
    return Decimal(chosen or 0)


def unit_result(unit_id: int, name: str, rows, bands) -> UnitResult:
    """`rows`: (sub, score) pairs of one unit; `sub` has max_points, rule and area_code."""
    result = UnitResult(unit_id, name)
    for sub, score in rows:
        if score is not None and score.not_applicable:
            continue
        points = final_points(score) if score is not None else Decimal(0)
        counted = Decimal(0) if sub.rule in EXTRA_RULES else Decimal(sub.max_points)
        area = result.areas.setdefault(sub.area_code, [Decimal(0), Decimal(0)])
        area[0] += points
        area[1] += counted
        result.points += points
        result.maximum += counted
    if result.maximum:
        result.index = (result.points * 100 / result.maximum).quantize(CENT, rounding=ROUND_HALF_UP)
    result.band = band_of(result.index, bands)
    return result


def band_of(index: Decimal, bands) -> str:
    for start, label in sorted(bands or [], key=lambda b: Decimal(str(b[0])), reverse=True):
        if index >= Decimal(str(start)):
            return label
    return ""


def rank(results: list[UnitResult]) -> list[UnitResult]:
    """Highest index first; equal indices share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(results, key=lambda r: (-r.index, r.unit_name))
    for position, result in enumerate(ordered):
        tied = position and ordered[position - 1].index == result.index
        result.rank = ordered[position - 1].rank if tied else position + 1
    return ordered


def _subs(index_id: int) -> list:
    stmt = (select(ParSubCriterion.id, ParSubCriterion.max_points, ParSubCriterion.rule,
                   ParSubCriterion.unit_kinds, ParIndexArea.code.label("area_code"))
            .join(ParCriterion, ParCriterion.id == ParSubCriterion.criterion_id)
            .join(ParIndexArea, ParIndexArea.id == ParCriterion.area_id)
            .where(ParSubCriterion.index_id == index_id))
    return list(db.session.execute(stmt))


def round_results(round_: ParRound, with_previous: bool = True) -> list[UnitResult]:
    """Every assessed unit's result, ranked (three statements, whatever the number of units)."""
    subs = _subs(round_.index_id)
    units = db.session.execute(
        select(ParAssessment.id, ParAssessment.unit_id, OrgUnit.name, OrgUnit.kind)
        .join(OrgUnit, OrgUnit.id == ParAssessment.unit_id).where(ParAssessment.round_id == round_.id)).all()
    scores: dict[int, dict] = {unit.id: {} for unit in units}
    stmt = (select(ParScore.assessment_id, ParScore.sub_id, ParScore.self_points, ParScore.appraised_points,
                   ParScore.not_applicable)
            .join(ParAssessment, ParAssessment.id == ParScore.assessment_id)
            .where(ParAssessment.round_id == round_.id))
    for row in db.session.execute(stmt):
        scores[row.assessment_id][row.sub_id] = row
    results = [unit_result(unit.unit_id, unit.name,
                           [(sub, scores[unit.id].get(sub.id)) for sub in subs if applies(sub, unit.kind)],
                           round_.bands) for unit in units]
    ranked = rank(results)
    if with_previous and (previous := previous_round(round_)) is not None:
        before = {r.unit_id: r for r in round_results(previous, with_previous=False)}
        for result in ranked:
            result.previous = before.get(result.unit_id)
    return ranked


def applies(sub, unit_kind: str) -> bool:
    return not sub.unit_kinds or unit_kind in sub.unit_kinds


def previous_round(round_: ParRound) -> ParRound | None:
    stmt = (select(ParRound).join(ParIndex, ParIndex.id == ParRound.index_id)
            .where(ParRound.unit_id == round_.unit_id, ParRound.year == round_.year - 1, ParRound.status == "published",
                   ParIndex.level == round_.index.level).limit(1))
    return db.session.execute(stmt).scalar_one_or_none()
