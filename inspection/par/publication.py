"""Publishing a round's results: the leader's act. It issues "Quyết định công bố kết quả xác định
Chỉ số CCHC năm N" with the ranking appendix (Nghị định 30 format, numbered through the register
of the coordinating People's Committee); the worker renders its PDF after the commit."""

from sqlalchemy import select

from models import OrgUnit, ParRound, Report, db

from ..data.transaction import unit_of_work
from ..reports.services import issue_document
from ..security import audit
from . import rounds


def publish(actor, round_: ParRound, *, count_unsubmitted: bool = False) -> ParRound:
    """Publish the round; units that have not submitted are refused unless `count_unsubmitted`."""
    with unit_of_work():
        rounds.mark_published(actor, round_, count_unsubmitted=count_unsubmitted)
        document = issue_document(actor, "par_decision", db.session.get(OrgUnit, round_.unit_id),
                                  params={"round_id": round_.id})
        round_.decision_report_id = db.session.execute(
            select(Report.id).where(Report.document_id == document.id).order_by(Report.id.desc())).scalar()
        audit.record(actor, "par_round.published", "par_round", round_.id, unit_id=round_.unit_id,
                     after={"status": "published", "decision": document.number_text,
                            "unsubmitted_counted": count_unsubmitted})
    return round_


def decision_of(round_: ParRound) -> Report | None:
    return db.session.get(Report, round_.decision_report_id) if round_.decision_report_id else None
