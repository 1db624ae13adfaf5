"""Follow-through of a published round: the points each unit lost per criterion, the weakest
criteria across units, and next year's "Kế hoạch khắc phục những hạn chế trong công tác CCHC"
drafted in the plans module with one task per unit and criterion where points were lost."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from models import OrgUnit, ParAssessment, ParCriterion, ParRound, ParScore, ParSubCriterion, db

from .. import permissions
from ..errors import InvalidTransition, ValidationError
from ..plans import services as plan_services
from ..plans import tasks as plan_tasks
from ..transaction import unit_of_work
from .scoring import shown
from .wording import say

UNSCORED_RULES = ("bonus", "penalty", "survey")  # not the unit's own work: never a remediation task


@dataclass
class Loss:
    unit_id: int
    unit_name: str
    code: str
    text: str
    lost: Decimal


def losses(round_: ParRound) -> list[Loss]:
    """Per unit and criterion, the points lost (maximum − final score, not-applicable left out)."""
    final = func.coalesce(ParScore.appraised_points, ParScore.self_points, 0)
    stmt = (select(OrgUnit.id, OrgUnit.name, ParCriterion.code, ParCriterion.text,
                   func.sum(ParSubCriterion.max_points - final).label("lost"))
            .select_from(ParScore).join(ParAssessment, ParAssessment.id == ParScore.assessment_id)
            .join(OrgUnit, OrgUnit.id == ParAssessment.unit_id)
            .join(ParSubCriterion, ParSubCriterion.id == ParScore.sub_id)
            .join(ParCriterion, ParCriterion.id == ParSubCriterion.criterion_id)
            .where(ParAssessment.round_id == round_.id, ParScore.not_applicable.is_(False),
                   ParSubCriterion.rule.not_in(UNSCORED_RULES))
            .group_by(OrgUnit.id, OrgUnit.name, ParCriterion.id, ParCriterion.code, ParCriterion.text)
            .having(func.sum(ParSubCriterion.max_points - final) > 0)
            .order_by(OrgUnit.name, ParCriterion.position, ParCriterion.code))
    return [Loss(*row) for row in db.session.execute(stmt)]


def weakest(round_: ParRound, limit: int = 10) -> list[dict]:
    """The criteria where most points are lost across units, each with its units."""
    by_code: dict[str, dict] = {}
    for loss in losses(round_):
        entry = by_code.setdefault(loss.code, {"code": loss.code, "text": loss.text, "lost": Decimal(0), "units": []})
        entry["lost"] += loss.lost
        entry["units"].append(loss.unit_name)
    return sorted(by_code.values(), key=lambda e: (-e["lost"], e["code"]))[:limit]


def create_remediation_plan(actor, round_: ParRound):
    """Draft next year's remediation plan of the coordinating unit: one task per lost criterion."""
    permissions.require(actor, "par.manage", round_)
    if round_.status != "published":
        raise InvalidTransition(say("Chỉ lập kế hoạch khắc phục sau khi công bố kết quả."))
    lost = losses(round_)
    if not lost:
        raise ValidationError(say("Không có tiêu chí nào bị mất điểm: không cần kế hoạch khắc phục."))
    year = round_.year + 1
    with unit_of_work():
        plan = plan_services.create_plan(
            actor, unit=db.session.get(OrgUnit, round_.unit_id), number="", issued_on=date(year, 1, 15),
            title=f"Kế hoạch khắc phục những hạn chế trong công tác cải cách hành chính năm {round_.year}", year=year)
        for n, loss in enumerate(lost, 1):
            plan_tasks.add_task(actor, plan, _task(n, loss, round_.year))
    return plan


def _task(n: int, loss: Loss, year: int) -> dict:
    lost = shown(loss.lost)
    return {"number": str(n), "unit_id": loss.unit_id, "deadline": date(year + 1, 6, 30),
            "title": f"Khắc phục tiêu chí {loss.code} “{loss.text}” (mất {lost} điểm năm {year})"[:500],
            "description": f"{loss.unit_name}: tiêu chí {loss.code} thấp hơn điểm tối đa {lost} điểm "
                           f"trong kết quả Chỉ số CCHC năm {year}.",
            "expected_output": "Báo cáo kết quả khắc phục kèm tài liệu kiểm chứng"}
