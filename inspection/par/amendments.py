"""Amendments of a frozen index (điều chỉnh bộ chỉ số): a sub-criterion's new maximum and/or text
with a reason, recorded in the audit log; the scores the new maximum touches follow at once (a
yes/no "đạt" takes the new maximum, a score beyond it comes down to it), each change kept in the
score's history. The index page lists the amendments: who, when, what, why."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from models import AuditEvent, ParIndex, ParRound, ParScore, ParSubCriterion, User, db

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.text import nfc
from ..security import audit, permissions
from .assessments import note_change
from .catalogue import MAX_TEXT, index_rows, row_problems
from .wording import say as gettext

ACTION = "par_index.amended"
STAGES = {"self_points": "amend_self", "appraised_points": "amend_appraisal"}


def _changed(sub: ParSubCriterion, max_points: str | None, text: str | None) -> tuple[Decimal, str]:
    """The new maximum and text (an empty field keeps the current one), checked as an imported row."""
    maximum = (max_points or "").strip() or str(sub.max_points)
    text = nfc(text or "") or sub.text
    row = index_rows(db.session.get(ParIndex, sub.index_id))[0] | {
        "max_points": maximum, "text": text, "rule": sub.rule, "bands": sub.bands}
    if problems := row_problems(row):
        raise ValidationError(problems[0], field="text" if len(text) > MAX_TEXT else "max_points")
    maximum = Decimal(maximum.replace(",", "."))
    if (maximum, text) == (sub.max_points, sub.text):
        raise ValidationError(gettext("Nhập điểm tối đa mới hoặc nội dung mới của tiêu chí thành phần."),
                              field="max_points")
    return maximum, text


def _rescored(sub: ParSubCriterion, old: Decimal, value: Decimal | None) -> Decimal | None:
    """`value` under the new maximum of `sub` (None stays None)."""
    top = sub.max_points
    if value is None or sub.rule == "banded":
        return value  # the bands fit the new maximum (row_problems), their points stay
    if sub.rule == "yes_no":
        return top if value == old else Decimal(0)
    return max(min(value, top), -top) if sub.rule == "penalty" else min(value, top)


def _rescore(actor, sub: ParSubCriterion, old: Decimal, reason: str) -> int:
    """Bring every score of `sub` under its new maximum; the number of scores changed."""
    changed = 0
    for score in db.session.execute(select(ParScore).where(ParScore.sub_id == sub.id)).scalars():
        for attr, stage in STAGES.items():
            before = getattr(score, attr)
            after = _rescored(sub, old, before)
            if after != before:
                note_change(actor, score, stage, before, after, reason)
                setattr(score, attr, after)
                changed += 1
    return changed


def amend_sub(actor, sub: ParSubCriterion, *, max_points: str | None, text: str | None,
              reason: str) -> ParSubCriterion:
    """A correction of the index: recorded with its reason; the scores it touches follow at once.
    Refused once the round's results are published (the decision is issued on them)."""
    index = db.session.get(ParIndex, sub.index_id)
    permissions.require(actor, "par.manage", index)
    published = select(ParRound.id).where(ParRound.index_id == index.id, ParRound.status == "published")
    if db.session.execute(published).first():
        raise InvalidTransition(gettext("Đợt đánh giá đã công bố kết quả: không điều chỉnh bộ chỉ số được nữa."))
    reason = nfc(reason or "")
    if not reason or len(reason) > MAX_TEXT:
        raise ValidationError(gettext("Nhập lý do điều chỉnh (tối đa %(n)s ký tự).", n=MAX_TEXT), field="reason")
    maximum, text = _changed(sub, max_points, text)
    with unit_of_work():
        before, old = {"max_points": sub.max_points, "text": sub.text}, sub.max_points
        sub.max_points, sub.text = maximum, text
        rescored = _rescore(actor, sub, old, reason)
        audit.record(actor, ACTION, "par_sub_criterion", sub.id, unit_id=index.unit_id, before=before,
                     after={"max_points": maximum, "text": text, "reason": reason, "rescored": rescored})
    return sub


@dataclass
class Amendment:
    at: datetime
    who: str
    code: str
    before: dict
    after: dict


def list_amendments(index: ParIndex) -> list[Amendment]:
    """The amendments of `index`, newest first."""
    subs = {str(s.id): s.code for s in db.session.execute(
        select(ParSubCriterion).where(ParSubCriterion.index_id == index.id)).scalars()}
    stmt = (select(AuditEvent, User.full_name).outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.action == ACTION, AuditEvent.target_type == "par_sub_criterion",
                   AuditEvent.unit_id == index.unit_id, AuditEvent.target_id.in_(list(subs)))
            .order_by(AuditEvent.seq.desc()))
    return [Amendment(event.at, name or "", subs[event.target_id], event.before or {}, event.after or {})
            for event, name in db.session.execute(stmt)]
