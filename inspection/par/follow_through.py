"""Follow-through of a published round: the points each unit lost per criterion, the weakest
criteria across units, next year's "Kế hoạch khắc phục những hạn chế trong công tác CCHC"
drafted in the plans module with one task per unit and criterion where points were lost, and next
year's inspection focus: a checklist template whose criteria are the weakest ones."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from models import OrgUnit, ParArea, ParAssessment, ParCriterion, ParIndexArea, ParRound, ParScore, ParSubCriterion, db

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..inspections import checklists
from ..language.i18n import N_
from ..language.text import fold
from ..plans import assignments as plan_tasks
from ..plans import services as plan_services
from ..security import audit, permissions
from .decision import LEVEL_WORDS
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


def weakest(round_: ParRound, limit: int = 10, lost: list[Loss] | None = None) -> list[dict]:
    """The criteria where most points are lost across units, each with its units (`lost`: the
    round's losses() when the caller has them)."""
    by_code: dict[str, dict] = {}
    for loss in losses(round_) if lost is None else lost:
        entry = by_code.setdefault(loss.code, {"code": loss.code, "text": loss.text, "lost": Decimal(0), "units": [],
                                               "losses": []})
        entry["lost"] += loss.lost
        entry["units"].append(loss.unit_name)
        entry["losses"].append(loss)
    return sorted(by_code.values(), key=lambda e: (-e["lost"], e["code"]))[:limit]


# (before publication, with no point lost) for each thing made from the points lost
PLAN_REFUSALS = (N_("Chỉ lập kế hoạch khắc phục sau khi công bố kết quả."),
                 N_("Không có tiêu chí nào bị mất điểm: không cần kế hoạch khắc phục."))
CHECKLIST_REFUSALS = (N_("Chỉ lập bộ tiêu chí kiểm tra trọng tâm sau khi công bố kết quả."),
                      N_("Không có tiêu chí nào bị mất điểm: không có trọng tâm kiểm tra để đưa vào."))


def _published_losses(actor, round_: ParRound, refusals: tuple[str, str]) -> list[Loss]:
    """The round's losses, for the coordinator once the results are published (else the refusal)."""
    permissions.require(actor, "par.manage", round_)
    if round_.status != "published":
        raise InvalidTransition(say(refusals[0]))
    lost = losses(round_)
    if not lost:
        raise ValidationError(say(refusals[1]))
    return lost


def create_remediation_plan(actor, round_: ParRound):
    """Draft next year's remediation plan of the coordinating unit: one task per lost criterion."""
    lost = _published_losses(actor, round_, PLAN_REFUSALS)
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


UNITS_NAMED = 40  # units named in a criterion's guidance; the rest counted


def seed_inspection_checklist(actor, round_: ParRound):
    """Next year's checklist template of the coordinating unit whose criteria are the round's weakest
    (code, text, the units where points were lost, in the guidance). It is edited as any template
    (in place until an inspection uses it) and chosen when inspections are scheduled."""
    weak = weakest(round_, lost=_published_losses(actor, round_, CHECKLIST_REFUSALS))
    year, areas = round_.year + 1, _areas_of(round_)
    level = LEVEL_WORDS.get(round_.index.level, "các đơn vị")
    name = f"Bộ tiêu chí kiểm tra trọng tâm năm {year} đối với {level} (từ kết quả Chỉ số CCHC năm {round_.year})"
    with unit_of_work():
        template = checklists.create_template(
            actor, unit=db.session.get(OrgUnit, round_.unit_id), year=year, name=name,
            description=f"Các tiêu chí bị mất điểm nhiều nhất trong kết quả xác định Chỉ số CCHC năm {round_.year} "
                        "đã công bố; kiểm tra việc khắc phục tại các đơn vị bị mất điểm.",
            items=[_item(w, round_.year, areas.get(w["code"])) for w in weak])
        audit.record(actor, "par_round.checklist_seeded", "par_round", round_.id, unit_id=round_.unit_id,
                     after={"template_id": template.id, "criteria": [w["code"] for w in weak]})
    return template


def _item(weak: dict, year: int, area_id: int | None) -> dict:
    named = [f"{loss.unit_name} ({shown(loss.lost)})" for loss in weak["losses"][:UNITS_NAMED]]
    more = len(weak["losses"]) - len(named)
    units = "; ".join(named) + (f" và {more} đơn vị khác" if more > 0 else "")
    return {"code": weak["code"], "area_id": area_id, "criterion": weak["text"][:500], "points": None,
            "guidance": f"Năm {year} mất {shown(weak['lost'])} điểm tại {len(weak['losses'])} đơn vị: {units}. "
                        "Kiểm tra việc khắc phục và tài liệu kiểm chứng."}


def _areas_of(round_: ParRound) -> dict[str, int]:
    """Criterion code → the PAR area (lĩnh vực) whose name begins the index area's name, where one does."""
    named = [(fold(a.name), a.id) for a in db.session.execute(select(ParArea)).scalars()]
    stmt = (select(ParCriterion.code, ParIndexArea.name).join(ParIndexArea, ParIndexArea.id == ParCriterion.area_id)
            .where(ParIndexArea.index_id == round_.index_id))
    found = {}
    for code, name in db.session.execute(stmt):
        match = [(len(n), area_id) for n, area_id in named if fold(name).startswith(n)]
        if match:
            found[code] = max(match)[1]
    return found
