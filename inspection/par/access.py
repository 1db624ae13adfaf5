"""Who sees and appraises Chỉ số CCHC records, for the permission module: a record's unit subtree
sees it, as do the appraisers of its round; an appraiser never appraises a unit they belong to."""

from sqlalchemy import select

from models import ParAppraiser, ParAssessment, ParEvidence, ParRound, ParScore, db
from models.enums import Role

ACTIONS = {
    "par.view": frozenset(Role),  # an index, a round, a unit's assessment (and a round's appraisers)
    "par.manage": frozenset({Role.COORDINATOR}),  # the index, the round, its appraisers, the remediation plan
    "par.self_assess": frozenset({Role.UNIT_HEAD, Role.UNIT_OFFICER}),
    "par.submit": frozenset({Role.UNIT_HEAD}),
    "par.publish": frozenset({Role.LEADER}),
    "par.appraise": frozenset(),  # granted by the round's appraiser membership, never on one's own unit
}
RECORDS = (ParRound, ParAssessment, ParScore, ParEvidence)


def appraised_rounds(actor):
    return select(ParAppraiser.round_id).where(ParAppraiser.user_id == actor.id)


def appraises(actor, obj, cache: dict) -> bool:
    """Is `actor` an appraiser of the record's round, and the record not of a unit `actor` belongs to?
    (remembered in `cache`, the permission module's per-request one)"""
    round_id = obj.id if isinstance(obj, ParRound) else getattr(obj, "round_id", None)
    if round_id is None:
        round_id = db.session.get(ParAssessment, obj.assessment_id).round_id
    if not isinstance(obj, ParRound) and obj.unit_id in {m.unit_id for m in actor.memberships}:
        return False
    key = ("appraises", actor.id, round_id)
    if key not in cache:
        cache[key] = db.session.execute(appraised_rounds(actor).where(ParAppraiser.round_id == round_id)).first()
    return cache[key] is not None


def scope_clause(model, visible, actor):
    """scope()'s condition for a round, an assessment, a score or its evidence."""
    rounds = appraised_rounds(actor)
    if model is ParRound:
        return ParRound.unit_id.in_(visible) | ParRound.id.in_(rounds)
    if model is ParAssessment:
        return ParAssessment.unit_id.in_(visible) | ParAssessment.round_id.in_(rounds)
    appraised = select(ParAssessment.id).where(ParAssessment.round_id.in_(rounds))
    if model is ParEvidence:
        return ParEvidence.unit_id.in_(visible) | ParEvidence.score_id.in_(
            select(ParScore.id).where(ParScore.assessment_id.in_(appraised)))
    return ParScore.unit_id.in_(visible) | ParScore.assessment_id.in_(appraised)
