"""Demo Chỉ số CCHC: the 2025 round of the communes, appraised and published (self scores in the
shape of domain.md §1.4: appraised slightly below self, results around 84–87 % Tốt, one unit Khá),
and the open 2026 round, copied from it, in which An Phước's self-assessment is half done."""

from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from models import OrgUnit, ParAssessment, ParScore, User, db

from ..par import catalogue, rounds
from ..par.template import demo_rows

DATES_2025 = {"self_due": date(2025, 10, 15), "appraisal_due": date(2025, 11, 15),
              "explanation_due": date(2025, 11, 30), "publish_due": date(2025, 12, 20)}
DATES_2026 = {"self_due": date(2026, 12, 15), "appraisal_due": date(2027, 1, 10),
              "explanation_due": date(2027, 1, 20), "publish_due": date(2027, 1, 31)}
QUARTER = Decimal("0.25")
WEAKER = "TH-TANCONGCHI"  # the one commune graded Khá


def _typed(sub, share: Decimal) -> Decimal:
    return (Decimal(sub.max_points) * share / QUARTER).to_integral_value(ROUND_DOWN) * QUARTER


def _self_points(sub, n: int, share: Decimal) -> Decimal:
    """A unit's self score: yes/no mostly met, bands mostly the top one, typed near the maximum."""
    top = Decimal(sub.max_points)
    if sub.rule == "yes_no":
        return top if (n + len(sub.code)) % 7 else Decimal(0)
    if sub.rule == "banded":
        levels = sorted({Decimal(str(p)) for _, p in sub.bands}, reverse=True)
        return levels[0] if n % 3 else levels[-1]
    if sub.rule in ("bonus", "penalty"):
        return Decimal(0)
    return _typed(sub, share)


def _score_unit(assessment: ParAssessment, n: int, weak: bool) -> None:
    share = Decimal("0.78") if weak else Decimal("0.95") - Decimal(n % 4) / 100
    survey = Decimal("0.74") if weak else Decimal("0.83") + Decimal(n % 3) / 50
    scores = db.session.execute(select(ParScore).where(ParScore.assessment_id == assessment.id)).scalars()
    for i, score in enumerate(sorted(scores, key=lambda s: s.sub.position)):
        sub = score.sub
        if sub.rule == "survey":
            score.appraised_points, score.appraisal_reason = _typed(sub, survey), "Kết quả điều tra xã hội học"
            continue
        if score.self_points is None:
            score.self_points, score.note = _self_points(sub, n + i, share), "Đã thực hiện theo kế hoạch"
        lower = sub.rule == "typed" and (i + n) % 4 == 0 and score.self_points >= QUARTER
        score.appraised_points = score.self_points - QUARTER if lower else score.self_points
        score.appraisal_reason = "Tài liệu kiểm chứng chưa đầy đủ" if lower else ""
        score.decided = True
    assessment.status, assessment.submitted_at = "final", _at(2025, 10, 10)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 2, 0, tzinfo=UTC)


def seed_par(units: dict[str, OrgUnit], users: dict[str, User]) -> None:
    coordinator, leader = users["coordinator"], users["leader"]
    index = catalogue.create_index(coordinator, unit=units["TH"], year=2025, level="commune",
                                   title="Bộ chỉ số cải cách hành chính cấp xã năm 2025", rows=demo_rows())
    round_ = rounds.open_round(coordinator, index, dates=DATES_2025)
    rounds.add_appraiser(coordinator, round_, users["inspector"])
    assessments = db.session.execute(select(ParAssessment).where(ParAssessment.round_id == round_.id)
                                     .order_by(ParAssessment.unit_id)).scalars().all()
    for n, assessment in enumerate(assessments):
        _score_unit(assessment, n, weak=assessment.unit_id == units[WEAKER].id)
    round_.status, round_.published_at, round_.published_by_id = "published", _at(2025, 12, 18), leader.id
    _open_2026(index, units, users)


def _open_2026(index, units: dict[str, OrgUnit], users: dict[str, User]) -> None:
    """The 2026 round, open: An Phước's officer has scored the first half of the sub-criteria."""
    coordinator = users["coordinator"]
    copy = catalogue.copy_index(coordinator, index, year=2026)
    round_ = rounds.open_round(coordinator, copy, dates=DATES_2026)
    rounds.add_appraiser(coordinator, round_, users["inspector"])
    mine = db.session.execute(select(ParAssessment).where(
        ParAssessment.round_id == round_.id, ParAssessment.unit_id == units["TH-ANPHUOC"].id)).scalar_one()
    scores = sorted(db.session.execute(select(ParScore).where(ParScore.assessment_id == mine.id)).scalars(),
                    key=lambda s: s.sub.position)
    for i, score in enumerate(scores[: len(scores) // 2]):
        if score.self_points is None and score.sub.rule not in ("survey", "bonus", "penalty"):
            score.self_points, score.note = _self_points(score.sub, i, Decimal("0.9")), "Đã thực hiện"
