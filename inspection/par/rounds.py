"""A round (đợt đánh giá): opened on a frozen index for the units assessed, with the phase dates
and the result bands; its appraisers; its phases; its progress for the coordinator."""

from datetime import date

from sqlalchemy import func, select

from models import (
    OrgUnit,
    ParAppraiser,
    ParAssessment,
    ParRound,
    ParScore,
    ParSubCriterion,
    User,
    db,
    subtree_ids,
    utcnow,
)
from models.enums import UnitKind

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..security import audit, permissions, scoping
from . import catalogue, computed
from .results import applies
from .wording import say as gettext

DEFAULT_BANDS = [[80, "Tốt"], [70, "Khá"], [50, "Trung bình"], [0, "Yếu"]]
LEVEL_KINDS = {"department": {UnitKind.DEPARTMENT, UnitKind.SERVICE_UNIT},
               "commune": {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE}}
PHASES = ("self_assessment", "appraisal", "explanation", "decision", "published")
PHASE_LABELS = {"self_assessment": N_("Tự đánh giá"), "appraisal": N_("Thẩm định"),
                "explanation": N_("Giải trình"), "decision": N_("Quyết định điểm cuối cùng"),
                "published": N_("Đã công bố")}


def assessable_units(index) -> list[OrgUnit]:
    """The active units of the index's level under its coordinating unit."""
    stmt = (select(OrgUnit).where(OrgUnit.id.in_(subtree_ids([index.unit_id])),
                                  OrgUnit.kind.in_(LEVEL_KINDS[index.level]), OrgUnit.is_active)
            .order_by(OrgUnit.name))
    return list(db.session.execute(stmt).scalars())


def open_round(actor, index, *, dates: dict, unit_ids=None) -> ParRound:
    """Open the round of `index`: the index is frozen, each unit gets its assessment with one score
    per applicable sub-criterion (computed ones filled from the product's data)."""
    permissions.require(actor, "par.manage", index)
    _check_dates(dates)
    if db.session.execute(select(ParRound.id).where(ParRound.index_id == index.id)).first():
        raise InvalidTransition(gettext("Bộ chỉ số này đã có đợt đánh giá."))
    units = [u for u in assessable_units(index) if unit_ids is None or u.id in set(unit_ids)]
    if not units:
        raise ValidationError(gettext("Chưa có đơn vị nào được đánh giá."))
    with unit_of_work():
        round_ = ParRound(index_id=index.id, unit_id=index.unit_id, year=index.year, bands=DEFAULT_BANDS, **dates)
        db.session.add(round_)
        catalogue.freeze(index)
        db.session.flush()
        subs = list(db.session.execute(select(ParSubCriterion).where(ParSubCriterion.index_id == index.id)
                                       .order_by(ParSubCriterion.position)).scalars())
        for unit in units:
            _start_assessment(round_, unit, subs)
        audit.record(actor, "par_round.opened", "par_round", round_.id, unit_id=index.unit_id,
                     after={"year": index.year, "units": len(units)} | dates)
    return round_


def _start_assessment(round_: ParRound, unit: OrgUnit, subs) -> None:
    assessment = ParAssessment(round_id=round_.id, unit_id=unit.id)
    db.session.add(assessment)
    db.session.flush()
    for sub in subs:
        if applies(sub, unit.kind):
            score = ParScore(assessment_id=assessment.id, unit_id=unit.id, sub_id=sub.id)
            computed.fill(score, sub, unit, round_.year)
            db.session.add(score)


def _check_dates(dates: dict) -> None:
    order = [dates.get(k) for k in ("self_due", "appraisal_due", "explanation_due", "publish_due")]
    if any(not isinstance(d, date) for d in order):
        raise ValidationError(gettext("Nhập đủ thời hạn các giai đoạn (dd/mm/yyyy)."), field="self_due")
    if order != sorted(order):
        raise ValidationError(gettext("Thời hạn các giai đoạn phải theo thứ tự: tự đánh giá, thẩm định, "
                                      "giải trình, công bố."), field="appraisal_due")


def add_appraiser(actor, round_: ParRound, user: User) -> ParAppraiser:
    """A member of the round's appraisal team (never appraising their own unit: permissions)."""
    permissions.require(actor, "par.manage", round_)
    if not user.is_active or db.session.execute(select(ParAppraiser.id).where(
            ParAppraiser.round_id == round_.id, ParAppraiser.user_id == user.id)).first():
        raise ValidationError(gettext("Người này đã là thành viên tổ thẩm định hoặc đã nghỉ."), field="user_id")
    with unit_of_work():
        member = ParAppraiser(round_id=round_.id, user_id=user.id)
        db.session.add(member)
        audit.record(actor, "par_round.appraiser_added", "par_round", round_.id, unit_id=round_.unit_id,
                     after={"user_id": user.id})
    scoping.forget_visibility()  # who appraises what is remembered per request
    return member


def advance(actor, round_: ParRound) -> ParRound:
    """The next phase (tự đánh giá → thẩm định → giải trình → quyết định); publishing is the leader's."""
    permissions.require(actor, "par.manage", round_)
    position = PHASES.index(round_.status)
    if PHASES[position + 1] == "published":
        raise InvalidTransition(gettext("Lãnh đạo công bố kết quả khi các điểm đã được quyết định."))
    with unit_of_work():
        before, round_.status = round_.status, PHASES[position + 1]
        audit.record(actor, "par_round.advanced", "par_round", round_.id, unit_id=round_.unit_id,
                     before={"status": before}, after={"status": round_.status})
    return round_


def progress(round_: ParRound) -> dict:
    """Assessments by status ("đã nộp tự đánh giá 41/52")."""
    counts = dict(db.session.execute(select(ParAssessment.status, func.count())
                                     .where(ParAssessment.round_id == round_.id).group_by(ParAssessment.status)).all())
    total = sum(counts.values())
    return {"total": total, "submitted": total - counts.get("draft", 0), "counts": counts}


def mark_published(actor, round_: ParRound, *, count_unsubmitted: bool = False) -> None:
    """Publish; with units that never submitted only when the leader chose to count them by their
    appraisal (the box "Công bố, các đơn vị chưa nộp được tính theo kết quả thẩm định")."""
    permissions.require(actor, "par.publish", round_)
    if round_.status != "decision":
        raise InvalidTransition(gettext("Chỉ công bố kết quả sau khi tổ thẩm định quyết định điểm cuối cùng."))
    unsubmitted = progress(round_)["counts"].get("draft", 0)
    if unsubmitted and not count_unsubmitted:
        raise InvalidTransition(gettext(
            "Còn %(n)s đơn vị chưa nộp tự đánh giá. Chọn \"Công bố, các đơn vị chưa nộp được tính theo kết quả "
            "thẩm định\" để công bố.", n=unsubmitted))
    round_.status, round_.published_at, round_.published_by_id = "published", utcnow(), actor.id
