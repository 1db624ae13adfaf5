"""Asking for PDFs and issuing documents. A web request never renders: it records a Report row
(the row, not Redis, is the record of the request) and enqueues its job after the commit.

Same inputs → the same row: the snapshot's hash, with a partial unique index over live rows,
makes two simultaneous requests one row and one job."""

import logging
import uuid
from typing import BinaryIO

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from models import Document, Inspection, Report, db, utcnow

from ..data.queue import enqueue
from ..data.transaction import after_commit, unit_of_work
from ..errors import Forbidden, ValidationError
from ..files import storage
from ..language.formatting import local_today
from ..security import audit, permissions
from ..signing import verification
from .builders import build_snapshot
from .choices import FAILED, KINDS, ONE_PER_SUBJECT, QUEUED, TEMPLATE_VERSION
from .numbering import next_number
from .queries import issued_document, issuing_unit_id, live_report, subject_of, subject_type_of
from .snapshots import day_text, input_hash, number_text, place_date, signature, unit_of

JOB = "inspection.jobs.reports.render_report"
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
VIEW_ACTIONS = {"inspection": "inspection.view", "plan": "plan.view", "unit": "unit.view"}
SIGNING_ROLES = {"leader", "unit_head"}
log = logging.getLogger(__name__)


def check_kind(kind: str, subject_type: str) -> None:
    if kind not in KINDS or subject_type not in KINDS[kind].subjects:
        raise ValidationError("Loại văn bản không hợp lệ.", field="kind")


def enqueue_render(report: Report) -> None:
    """Enqueue the attempt named by the row's job id, once the current transaction commits."""
    report_id, job_id = report.id, report.rq_job_id
    after_commit(lambda: _enqueue_or_leave_to_sweeper(report_id, job_id))


def _enqueue_or_leave_to_sweeper(report_id: int, job_id: str) -> None:
    """The committed row is the request: with Redis down the request still stands (the user was
    told it is queued) and the sweeper enqueues it once Redis is back."""
    config = current_app.config
    try:
        enqueue(JOB, report_id, job_id, queue="reports", job_id=job_id, retry=config["REPORT_MAX_RETRIES"],
                job_timeout=config["REPORT_JOB_TIMEOUT"])
    except RedisError as exc:
        log.warning("report %s: not enqueued (%s); the sweeper enqueues it when Redis is back", report_id, exc)


def _unit_for_audit(report: Report) -> int | None:
    subject = subject_of(report)
    return issuing_unit_id(subject, report.kind) if subject is not None else None


def create_report(actor, kind: str, subject_type: str, subject_id: int, snapshot: dict, *,
                  params: dict | None = None, document_id: int | None = None, enqueue: bool = True) -> Report:
    """The live row for these inputs, or a new queued one whose job is enqueued after commit."""
    digest = input_hash(kind, snapshot)
    existing = live_report(kind, subject_type, subject_id, digest)
    if existing is not None:
        return existing
    report = Report(kind=kind, subject_type=subject_type, subject_id=subject_id, params=params or {},
                    document_id=document_id, status=QUEUED, rq_job_id=str(uuid.uuid4()), input_hash=digest,
                    snapshot=snapshot, template_version=TEMPLATE_VERSION, queued_at=utcnow(),
                    requested_by_id=getattr(actor, "id", None))
    with unit_of_work():
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:
            # a simultaneous request with the same inputs committed first: its row is the answer
            log.info("report %s/%s:%s: joined a simultaneous request", kind, subject_type, subject_id)
            return live_report(kind, subject_type, subject_id, digest)
        audit.record(actor, "report.requested", "report", report.id, unit_id=_unit_for_audit(report),
                     after={"kind": kind, "subject": f"{subject_type}:{subject_id}", "hash": digest})
        if enqueue:
            enqueue_render(report)
    return report


def request_report(actor, kind: str, subject, *, params: dict | None = None) -> Report:
    """Ask for the PDF of `kind` about `subject`: the existing rendering of the same inputs at
    once, else a new one queued for a worker."""
    subject_type = subject_type_of(subject)
    check_kind(kind, subject_type)
    permissions.require(actor, VIEW_ACTIONS[subject_type], subject)
    if subject_type == "plan":
        params = progress_scope(actor, subject)
    snapshot = build_snapshot(kind, subject_type, subject, params)
    return create_report(actor, kind, subject_type, subject.id, snapshot, params=params)


def progress_scope(actor, plan) -> dict | None:
    """A plan's progress report follows the requester's scope: the whole plan for who sees its
    issuing unit (plan-wide scope); else the report of the requester's own unit's tasks."""
    if permissions.can(actor, "plan.report", plan):
        return None
    units = sorted(m.unit_id for m in actor.memberships)
    if not units:
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")
    return {"unit_id": units[0]}


def retry_report(actor, report: Report) -> Report:
    """Try a failed rendering again, as a new attempt with a fresh job id."""
    permissions.require(actor, VIEW_ACTIONS[report.subject_type], subject_of(report))
    if report.status != FAILED:
        return report
    with unit_of_work():
        try:
            with db.session.begin_nested():
                report.status, report.rq_job_id, report.attempts = QUEUED, str(uuid.uuid4()), 0
                report.queued_at, report.error = utcnow(), ""
        except IntegrityError:  # the same inputs were asked for again meanwhile
            db.session.refresh(report)
            return live_report(report.kind, report.subject_type, report.subject_id, report.input_hash) or report
        audit.record(actor, "report.retried", "report", report.id, unit_id=_unit_for_audit(report))
        enqueue_render(report)
    return report


def _require_issuable(actor, kind: str, subject) -> None:
    if kind == "conclusion":
        permissions.require(actor, "conclusion.issue", subject)
    elif kind == "remediation_report" and isinstance(subject, Inspection):  # the inspected unit reports
        permissions.require(actor, "document.issue", unit_of(subject.unit_id))
    else:
        permissions.require(actor, "document.issue", subject)
    if kind in ONE_PER_SUBJECT and (found := issued_document(kind, subject)) is not None:
        raise ValidationError(f"{KINDS[kind].label} đã được ban hành (số {found.number_text}); "
                              "nội dung thay đổi sau đó lập thành văn bản bổ sung.")
    if kind == "minutes" and subject.minutes_closed_at is None:
        raise ValidationError("Biên bản chưa được lập xong (trưởng đoàn chưa khóa biên bản).")
    if kind == "conclusion" and subject.status not in ("concluded", "closed"):
        # issued through inspections.conclusions.issue_conclusion_document, which concludes first
        raise ValidationError("Chưa có dự thảo kết luận để ban hành.")


def _freeze(snapshot: dict, kind: str, unit, number: int, actor) -> dict:
    """The issued form: number, date and signer written into the snapshot, which never changes again."""
    today, head = local_today(), dict(snapshot["header"])
    head.update(issued=True, number_text=number_text(number, head["type_code"], head["issuer_code"]))
    if kind != "minutes":  # the minutes keep the day they were drawn up
        head["place_date"] = place_date(head["place"], today, today.year)
    frozen = {**snapshot, "header": head, "issued_on": day_text(today)}
    if "signature" in snapshot:
        signer = actor if set(getattr(actor, "roles", ())) & SIGNING_ROLES else None
        frozen["signature"] = signature(unit, signer) if signer else snapshot["signature"]
    return frozen


def issue_document(actor, kind: str, subject, *, params: dict | None = None) -> Document:
    """Issue a document: the next number of its unit, year and type, today's date and a frozen
    snapshot; its final PDF is rendered from that snapshot, never from later data."""
    subject_type = subject_type_of(subject)
    check_kind(kind, subject_type)
    _require_issuable(actor, kind, subject)
    return _issue(actor, kind, subject, params)


def issue_signed(actor, kind: str, subject) -> Document:
    """Issue minutes both sides have just signed on the tablet (the caller checked the team lead's
    right and the signatures, inside its unit of work): numbered, final, the signatures in place."""
    if (found := issued_document(kind, subject)) is not None:
        return found
    return _issue(actor, kind, subject, None)


def _issue(actor, kind: str, subject, params: dict | None) -> Document:
    subject_type = subject_type_of(subject)
    unit = unit_of(issuing_unit_id(subject, kind))
    with unit_of_work():
        snapshot = build_snapshot(kind, subject_type, subject, params)
        year, type_code = local_today().year, KINDS[kind].type_code
        number = next_number(unit.id, year, type_code)
        frozen = _freeze(snapshot, kind, unit, number, actor)
        code = verification.new_code()
        frozen["verification"] = {"code": code, "url": verification.url_for_code(code)}
        document = Document(kind=kind, subject_type=subject_type, subject_id=subject.id, params=params or {},
                            unit_id=unit.id, type_code=type_code, year=year, number=number,
                            number_text=frozen["header"]["number_text"], issued_on=local_today(), status="issued",
                            title=frozen["subject"][:500], snapshot=frozen, input_hash=input_hash(kind, frozen),
                            issued_by_id=actor.id, issued_at=utcnow(), verify_code=code)
        db.session.add(document)
        db.session.flush()
        audit.record(actor, "document.issued", "document", document.id, unit_id=unit.id,
                     after={"kind": kind, "number": document.number_text, "subject": f"{subject_type}:{subject.id}"})
        create_report(actor, kind, subject_type, subject.id, frozen, params=params, document_id=document.id)
    return document


def attach_signed_scan(actor, document: Document, stream: BinaryIO, filename: str) -> Document:
    """Attach the scan of the signed, stamped paper copy (PDF or image) to an issued document."""
    permissions.require(actor, "document.issue", document)
    return file_scan(actor, document, stream, filename)


def file_scan(actor, document: Document, stream: BinaryIO, filename: str, allowed: set[str] = SCAN_TYPES) -> Document:
    """Keep the scan of the document's signed paper copy (the upload's checks: size, type by
    content, malware scan; a refusal stores nothing), replacing an earlier one; the caller
    checked the actor's right."""
    if document.status != "issued":
        raise ValidationError("Chỉ đính kèm bản chụp cho văn bản đã ban hành.", field="scan")
    before = document.signed_scan_id
    with unit_of_work():
        scan = storage.store(stream, filename, kind="signed_scan", allowed=allowed, unit_id=document.unit_id,
                             uploaded_by_id=actor.id)
        db.session.flush()
        document.signed_scan_id, document.scan_attached_at = scan.id, utcnow()
        audit.record(actor, "document.scan_attached", "document", document.id, unit_id=document.unit_id,
                     before={"scan": before}, after={"scan": scan.id, "sha256": scan.sha256})
    return document
