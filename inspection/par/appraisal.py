"""Appraisal (thẩm định) by the round's appraisers, the unit's explanation (giải trình) with new
evidence, the appraiser's final decision; evidence files and links. Two appraisers saving the
same sub-criterion at once: one wins, the other gets the conflict with the current value."""

from sqlalchemy import select

from models import Document, ParEvidence, ParScore, Plan, Report, db

from ..data.transaction import check_version, unit_of_work
from ..errors import InvalidTransition, NotFound, ValidationError
from ..files import storage
from ..language.text import nfc
from ..security import audit, permissions
from .assessments import MAX_NOTE, note_change
from .scoring import check_points, parse_points, shown
from .wording import say as gettext

APPRAISING = {"appraisal": "appraisal", "explanation": "decision", "decision": "decision"}
LINKS = {"document": Document, "plan": Plan, "report": Report}
EVIDENCE_TYPES = storage.DOCUMENT_TYPES


def current_values(score: ParScore) -> dict:
    return {"self": shown(score.self_points), "appraised": shown(score.appraised_points),
            "reason": score.appraisal_reason}


def appraise_score(actor, score: ParScore, *, accept: bool, points: str, reason: str, version) -> ParScore:
    """Accept the self score, or set another one with a reason (in the appraisal phase; in the
    explanation and decision phases this is the final decision)."""
    permissions.require(actor, "par.appraise", score)
    round_ = score.assessment.round
    if round_.status not in APPRAISING or score.assessment.status == "draft":
        raise InvalidTransition(gettext("Chưa đến giai đoạn thẩm định bản tự đánh giá này."))
    check_version(score, version, current_values(score))
    reason = nfc(reason or "")
    if len(reason) > MAX_NOTE:
        raise ValidationError(gettext("Lý do tối đa %(n)s ký tự.", n=MAX_NOTE), field="reason")
    new = score.self_points if accept else parse_points(points, "points")
    if new is None:
        raise ValidationError(gettext("Nhập điểm thẩm định hoặc chọn chấp nhận điểm tự đánh giá."), field="points")
    check_points(score.sub, new, "points")
    if new != score.self_points and not reason:
        raise ValidationError(gettext("Nêu lý do khi điểm thẩm định khác điểm tự đánh giá."), field="reason")
    with unit_of_work():
        note_change(actor, score, APPRAISING[round_.status], score.appraised_points, new, reason)
        score.appraised_points, score.appraisal_reason = new, reason
        score.decided = round_.status != "appraisal"
        if score.assessment.status == "submitted":
            score.assessment.status = "appraised"
        audit.record(actor, "par_score.appraised", "par_score", score.id, unit_id=score.unit_id,
                     after={"points": new, "reason": reason, "stage": APPRAISING[round_.status]})
    return score


def reply_score(actor, score: ParScore, *, reply: str, version) -> ParScore:
    """The unit's explanation of an appraised score, in the explanation window."""
    permissions.require(actor, "par.self_assess", score)
    if score.assessment.round.status != "explanation" or score.appraised_points is None:
        raise InvalidTransition(gettext("Chỉ giải trình trong thời gian giải trình, với tiêu chí đã được thẩm định."))
    check_version(score, version, current_values(score))
    reply = nfc(reply or "")
    if not reply or len(reply) > MAX_NOTE:
        raise ValidationError(gettext("Nhập nội dung giải trình (tối đa %(n)s ký tự).", n=MAX_NOTE), field="reply")
    with unit_of_work():
        score.reply = reply
        note_change(actor, score, "reply", score.appraised_points, score.appraised_points, reply)
        audit.record(actor, "par_score.explained", "par_score", score.id, unit_id=score.unit_id,
                     after={"reply": reply})
    return score


def evidence_stage(score: ParScore) -> str:
    """Evidence is added while the unit drafts (self) or in the explanation window (reply)."""
    if score.assessment.status == "draft" and score.assessment.round.status == "self_assessment":
        return "self"
    if score.assessment.round.status == "explanation" and score.appraised_points is not None:
        return "reply"
    raise InvalidTransition(gettext("Không thể bổ sung tài liệu kiểm chứng ở giai đoạn này."))


def add_evidence(actor, score: ParScore, *, upload=None, link_type: str = "", link_id: str = "",
                 title: str = "") -> ParEvidence:
    """An uploaded file, or a link to a record the actor sees (a document, a plan, a report)."""
    permissions.require(actor, "par.self_assess", score)
    stage = evidence_stage(score)
    title = nfc(title or "")[:400]
    linked = _linked(actor, link_type, link_id) if link_type else None
    if linked is None and (upload is None or not upload.filename):
        raise ValidationError(gettext("Chọn tệp tài liệu kiểm chứng hoặc văn bản liên kết."), field="file")
    with unit_of_work():
        attachment = None
        if linked is None:
            attachment = storage.store(upload.stream, upload.filename, kind="par_evidence", allowed=EVIDENCE_TYPES,
                                       unit_id=score.unit_id, uploaded_by_id=actor.id)
            db.session.flush()
        evidence = ParEvidence(score_id=score.id, unit_id=score.unit_id, stage=stage,
                               attachment_id=attachment and attachment.id,
                               link_type=link_type or None, link_id=linked.id if linked else None,
                               title=title or (attachment.filename if attachment else _title_of(linked)),
                               added_by_id=actor.id)
        db.session.add(evidence)
        audit.record(actor, "par_evidence.added", "par_score", score.id, unit_id=score.unit_id,
                     after={"stage": stage, "link_type": link_type or "file", "title": evidence.title})
    return evidence


def _linked(actor, link_type: str, link_id: str):
    if link_type not in LINKS:
        raise ValidationError(gettext("Loại văn bản liên kết không hợp lệ."), field="link_type")
    try:
        return permissions.get_visible_or_404(LINKS[link_type], link_id, actor)
    except NotFound as exc:
        raise ValidationError(gettext("Không tìm thấy văn bản liên kết."), field="link_id") from exc


def _title_of(record) -> str:
    if isinstance(record, Plan):
        return f"Kế hoạch số {record.number}: {record.title}"[:400]
    return str(getattr(record, "title", "") or getattr(record, "number", "") or record.id)[:400]


def evidence_of(score: ParScore) -> list[ParEvidence]:
    return list(db.session.execute(select(ParEvidence).where(ParEvidence.score_id == score.id)
                                   .order_by(ParEvidence.id)).scalars())


