"""Rendering PDF documents in the worker (or synchronously, render_now, through the same path), and
the sweeper that leaves no rendering stuck.

The Report row is the job's source of truth (STYLE.md §14): an attempt proceeds only while the
row carries its own job id and is queued or rendering, and its writes are compare-and-set on
that id, so an attempt the sweeper replaced never overwrites the row. Transient errors (storage,
database or Redis connection) put the row back to queued and re-raise for RQ's retry; permanent
ones, or the last attempt, end in failed with a readable error, and re-raise too."""

import io
import logging
import re
import uuid
from datetime import timedelta

from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from models import Document, Report, db, utcnow

from ..data.queue import get_redis
from ..data.transaction import unit_of_work
from ..errors import DomainError, StorageUnavailable
from ..files import storage
from ..reports.builders import build_snapshot
from ..reports.choices import FAILED, IN_FLIGHT, KINDS, QUEUED, READY, RENDERING
from ..reports.pdf import render_document, render_pdf
from ..reports.queries import subject_type_of
from ..reports.services import check_kind, create_report, enqueue_render
from ..signing import services as signing

TRANSIENT = (OSError, StorageUnavailable, OperationalError, InterfaceError, RedisConnectionError,
             RedisTimeoutError)
PDF_LIMIT = 500 * 1024 * 1024
GONE = {"failed", "finished", "stopped", "canceled"}
log = logging.getLogger(__name__)


class Replaced(Exception):
    """This attempt no longer owns the row (the sweeper or a retry gave it a new job id)."""


def _cas(report_id: int, job_id: str, statuses, **values) -> bool:
    """Update the row only while it carries `job_id` and one of `statuses`; whether it did."""
    stmt = (update(Report).where(Report.id == report_id, Report.rq_job_id == job_id, Report.status.in_(statuses))
            .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    return db.session.execute(stmt).rowcount == 1


def _claim(report_id: int, job_id: str) -> bool:
    with unit_of_work():
        return _cas(report_id, job_id, (QUEUED, RENDERING), status=RENDERING, started_at=utcnow(),
                    attempts=Report.attempts + 1)


def _filename(report: Report) -> str:
    number = (report.snapshot or {}).get("header", {}).get("number_text", "")
    suffix = re.sub(r"[^0-9A-Za-z]+", "-", number).strip("-") if report.document_id else f"ban-nhap-{report.id}"
    return f"{KINDS[report.kind].slug}-{suffix or report.id}.pdf"


def _store_and_finish(report: Report, job_id: str, pdf: bytes, then=None) -> int:
    """Store the PDF and mark the row ready, in one transaction, only if this attempt still owns
    it; `then()` (an issued document's signature) runs in that transaction once the row is ready."""
    attachment = storage.store(io.BytesIO(pdf), _filename(report), kind="report_pdf", allowed={"application/pdf"},
                               uploaded_by_id=report.requested_by_id, limit=PDF_LIMIT, scan=False)
    try:
        with unit_of_work():
            db.session.flush()
            if not _cas(report.id, job_id, (RENDERING,), status=READY, attachment_id=attachment.id,
                        finished_at=utcnow(), error=""):
                raise Replaced()
            if report.document_id:
                db.session.execute(update(Document).where(Document.id == report.document_id,
                                                          Document.pdf_id.is_(None)).values(pdf_id=attachment.id))
            if then is not None:
                then()
    except BaseException:
        storage.backend().delete(attachment.storage_key)  # nothing refers to the file
        raise
    return attachment.id


def _produce_document(report: Report, job_id: str) -> int:
    """An issued document: its final PDF, signed by the agency's key over its signature block
    when one is set (the unsigned file stays, for a person to sign with their own token)."""
    pdf, box = render_document(report.kind, report.snapshot, archival=current_app.config["REPORT_ARCHIVAL"])
    signed, note = signing.sign_as_agency(pdf, box, db.session.get(Document, report.document_id).unit_id)
    return _store_and_finish(report, job_id, pdf,
                             then=lambda: signing.file_agency_signature(report.document_id, box, signed, note))


def produce(report_id: int, job_id: str) -> int:
    """Render the row's snapshot and store it: the stored attachment's id."""
    report = db.session.get(Report, report_id)
    if report.document_id:
        return _produce_document(report, job_id)
    return _store_and_finish(report, job_id, render_pdf(report.kind, report.snapshot))


def readable(exc: BaseException, transient: bool) -> str:
    """The error as the requester reads it: Vietnamese words, never the exception's own text (no
    paths, addresses or library messages); the details go to the worker's log."""
    if transient:
        log.warning("report: transient error: %s (%s)", exc, exc.__cause__)
        return "Lỗi tạm thời khi đọc/ghi dữ liệu hoặc tệp; hệ thống tự thử lại."
    if isinstance(exc, DomainError):
        return exc.message
    log.error("report: rendering failed", exc_info=exc)
    return ("Không tạo được tệp PDF do lỗi khi dựng văn bản. Chi tiết đã được ghi vào nhật ký hệ thống; "
            "bấm “Thử lại” hoặc báo quản trị hệ thống.")


def _last_attempt() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _no_more_retries() -> None:
    """A permanent error: RQ must not retry it (the row already says failed); to the failed registry."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def _record_error(report_id: int, job_id: str, exc: BaseException, *, transient: bool) -> None:
    """A PDF the store refused stays queued even after RQ's last retry: the sweeper renders it
    again (up to REPORT_MAX_ATTEMPTS) once the store is back."""
    final = not transient or (_last_attempt() and not isinstance(exc, StorageUnavailable))
    try:
        db.session.rollback()
        with unit_of_work():
            _cas(report_id, job_id, (RENDERING,), status=FAILED if final else QUEUED,
                 error=readable(exc, transient), finished_at=utcnow() if final else None)
    except Exception:  # the database itself is down: the sweeper settles the row later
        log.exception("report %s: could not record the error", report_id)


def render_report(report_id: int, job_id: str) -> str:
    """Render the Report row `report_id` as its attempt `job_id`: ready, or failed with a reason."""
    if not _claim(report_id, job_id):
        return "skipped"  # redelivered or replaced: another attempt owns the row
    try:
        produce(report_id, job_id)
    except Replaced:
        return "replaced"
    except TRANSIENT as exc:
        _record_error(report_id, job_id, exc, transient=True)
        raise
    except Exception as exc:
        _record_error(report_id, job_id, exc, transient=False)
        _no_more_retries()
        raise
    return "ready"


# ---- the sweeper

def render_now(kind: str, subject, *, params: dict | None = None) -> Report:
    """Render synchronously through the worker's own code path (the CLI, administrators, tests):
    the ready rendering of the same inputs, else this process takes the attempt and renders it."""
    subject_type = subject_type_of(subject)
    check_kind(kind, subject_type)
    snapshot = build_snapshot(kind, subject_type, subject, params)
    report = create_report(None, kind, subject_type, subject.id, snapshot, params=params, enqueue=False)
    if report.status == READY:
        return report
    job_id = str(uuid.uuid4())
    with unit_of_work():  # take the attempt over: a worker's copy of it becomes a no-op
        report.rq_job_id, report.status = job_id, QUEUED
    render_report(report.id, job_id)
    db.session.refresh(report)
    return report


def _job_state(job_id: str) -> str | None:
    try:
        return Job.fetch(job_id, connection=get_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return None


def _stuck(report: Report, now) -> bool:
    """A rendering outlived its timeout; or its job is gone from Redis (flushed, lost, failed)."""
    config = current_app.config
    grace = timedelta(seconds=config["REPORT_QUEUED_GRACE"])
    if report.status == RENDERING:
        limit = timedelta(seconds=config["REPORT_JOB_TIMEOUT"] + config["REPORT_STALE_MARGIN"])
        if report.started_at and report.started_at < now - limit:
            return True
        return _job_state(report.rq_job_id) in GONE | {None} and report.started_at < now - grace
    since = report.queued_at or report.created_at
    return since < now - grace and _job_state(report.rq_job_id) in GONE | {None}


def _settle(report: Report) -> str:
    """Give a stuck row a fresh attempt, or fail it once it has had its attempts."""
    old = report.rq_job_id
    with unit_of_work():
        if report.attempts >= current_app.config["REPORT_MAX_ATTEMPTS"]:
            message = f"Không tạo được tệp PDF sau {report.attempts} lần thử; bấm “Thử lại” để tạo lại."
            _cas(report.id, old, IN_FLIGHT, status=FAILED, error=message, finished_at=utcnow())
            return "failed"
        if not _cas(report.id, old, (report.status,), status=QUEUED, rq_job_id=str(uuid.uuid4()),
                    queued_at=utcnow()):
            return "moved"  # the attempt finished meanwhile
        db.session.refresh(report)
        enqueue_render(report)
    return "requeued"


def sweep_reports() -> str:
    """Re-enqueue (with a fresh job id) or fail every rendering left queued or rendering by a
    killed work-horse or worker, a restarted or flushed Redis: within timeout + margin + interval."""
    now = utcnow()
    rows = db.session.execute(select(Report).where(Report.status.in_(IN_FLIGHT)).order_by(Report.id)).scalars()
    outcomes = [_settle(r) for r in list(rows) if _stuck(r, now)]
    return ", ".join(f"{o}: {outcomes.count(o)}" for o in sorted(set(outcomes))) or "nothing stuck"
