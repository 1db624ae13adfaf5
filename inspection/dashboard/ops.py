"""What the operations page shows: the queues, failed jobs, failed PDF renderings, and the
heartbeats of the workers and of the `rq cron` scheduler — all read from RQ's own registries."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from rq import Queue, Worker
from rq.cron import CronScheduler
from rq.exceptions import InvalidJobOperation
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import distinct, func, select, type_coerce

from models import BackupRun, Report, ScheduledRun, SecurityEvent, User, db, utcnow
from models.base import UTCDateTime

from .. import backups
from ..data.queue import QUEUES, get_queue, get_redis
from ..data.transaction import after_commit, unit_of_work
from ..errors import NotFound
from ..security import anchors, audit, permissions

FAILED_SHOWN = 50
WORKER_STALE = timedelta(seconds=420)  # rq's worker TTL: no heartbeat for this long → presumed dead
SCHEDULER_STALE = timedelta(seconds=120)  # rq's cron scheduler TTL
BACKUP_STALE = timedelta(days=1)
ANCHOR_STALE = timedelta(days=1)


@dataclass
class QueueDepth:
    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    failed: int


@dataclass
class FailedJob:
    id: str
    queue: str
    call: str
    ended_at: datetime | None
    error: str  # the exception's last line
    traceback: str


@dataclass
class Heartbeat:
    name: str
    state: str
    detail: str
    last_heartbeat: datetime | None

    @property
    def age(self) -> timedelta | None:
        return utcnow() - self.last_heartbeat if self.last_heartbeat else None


@dataclass
class BackupStatus:
    """The last good backup, the last attempt, and whether daily backups are switched on."""

    last_ok: BackupRun | None
    last_attempt: BackupRun | None
    scheduled_dir: str
    keep: int

    @property
    def is_stale(self) -> bool:
        return self.last_ok is None or utcnow() - self.last_ok.finished_at > BACKUP_STALE

    @property
    def failed_since(self) -> BackupRun | None:
        """The last attempt, when it failed after the last good backup."""
        last = self.last_attempt
        return last if last is not None and last.status == "failed" and last is not self.last_ok else None


@dataclass
class AnchorStatus:
    """The last daily export of the audit chain's head, and where it goes."""

    last: ScheduledRun | None
    directory: str
    mailed: bool

    @property
    def is_stale(self) -> bool:
        return self.last is None or utcnow() - self.last.finished_at > ANCHOR_STALE

    @property
    def head(self) -> str:
        return self.last.result.split()[1] if self.last else ""


def anchor_status() -> AnchorStatus:
    cfg = current_app.config
    return AnchorStatus(anchors.last_export(), cfg["BACKUP_DIR"], bool(cfg["SMTP_HOST"]))


def backup_status() -> BackupStatus:
    return BackupStatus(*backups.last_runs(), current_app.config["BACKUP_DIR"], current_app.config["BACKUP_KEEP"])


def refusal_counts(hours: int = 24, limit: int = 200) -> list:
    """Refused requests of the last `hours`, counted per hour and per user (the typed name or the
    address for visitors not signed in), busiest first within each hour; with the kinds seen."""
    hour = type_coerce(func.date_trunc("hour", SecurityEvent.at), UTCDateTime)
    who = func.coalesce(User.username, func.nullif(SecurityEvent.username, ""), SecurityEvent.address)
    stmt = (select(hour.label("hour"), who.label("who"), func.count().label("count"),
                   func.array_agg(distinct(SecurityEvent.kind)).label("kinds"),
                   func.array_agg(distinct(SecurityEvent.address)).label("addresses"))
            .outerjoin(User, User.id == SecurityEvent.user_id)
            .where(SecurityEvent.at >= utcnow() - timedelta(hours=hours))
            .group_by(hour, who).order_by(hour.desc(), func.count().desc(), who).limit(limit))
    return list(db.session.execute(stmt))


def recent_refusals(limit: int = 30) -> list[SecurityEvent]:
    stmt = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def queue_depths() -> list[QueueDepth]:
    return [QueueDepth(q.name, q.count, q.started_job_registry.count, q.scheduled_job_registry.count,
                       q.deferred_job_registry.count, q.failed_job_registry.count) for q in _queues()]


def _queues() -> list[Queue]:
    return [get_queue(name) for name in QUEUES]


def _error(exc_info: str) -> str:
    lines = [line for line in (exc_info or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _traceback(job: Job) -> str:
    result = job.latest_result()
    return (result.exc_string or "") if result is not None and result.type == result.Type.FAILED else ""


def failed_jobs() -> list[FailedJob]:
    """The latest failed jobs of our queues, newest first."""
    found = []
    for queue in _queues():
        ids = queue.failed_job_registry.get_job_ids(0, FAILED_SHOWN - 1, desc=True)
        for job in Job.fetch_many(ids, connection=get_redis()):
            if job is not None:
                trace = _traceback(job)
                found.append(FailedJob(job.id, queue.name, job.get_call_string() or job.func_name,
                                       _aware(job.ended_at), _error(trace), trace[-4000:]))
    return sorted(found, key=lambda j: j.ended_at or datetime.min.replace(tzinfo=UTC), reverse=True)[:FAILED_SHOWN]


def failed_reports(limit: int = FAILED_SHOWN) -> list[Report]:
    stmt = select(Report).where(Report.status == "failed").order_by(Report.finished_at.desc().nulls_last(),
                                                                    Report.id.desc())
    return list(db.session.execute(stmt.limit(limit)).scalars())


def workers() -> list[Heartbeat]:
    ours = {q.name for q in _queues()}
    found = []
    for worker in Worker.all(connection=get_redis()):
        names = [q.name for q in worker.queues]
        if ours & set(names):
            current = worker.get_current_job_id()
            detail = ", ".join(names) + (f" · {current}" if current else "")
            state = worker.get_state()
            found.append(Heartbeat(worker.name, str(getattr(state, "value", state)), detail,
                                   _aware(worker.last_heartbeat)))
    return sorted(found, key=lambda w: w.name)


def schedulers() -> list[Heartbeat]:
    found = []
    for scheduler in CronScheduler.all(connection=get_redis()):
        jobs = ", ".join(f"{j.func_name.rsplit('.', 1)[-1]} ({j.interval or j.cron} s)" for j in scheduler.get_jobs())
        found.append(Heartbeat(scheduler.name, "cron", jobs, _aware(scheduler.last_heartbeat)))
    return sorted(found, key=lambda s: s.name)


def _failed_queue_of(job_id: str) -> Queue:
    for queue in _queues():
        if job_id and job_id in FailedJobRegistry(queue=queue):
            return queue
    raise NotFound()


def retry_job(actor, job_id: str) -> str:
    """Put a failed job of one of our queues back on its queue (NotFound for any other id);
    returns the queue's name. The retry is audited; the job is requeued once that commits."""
    permissions.require(actor, "ops.view")
    queue = _failed_queue_of(job_id)
    job = Job.fetch(job_id, connection=get_redis())
    with unit_of_work():
        audit.record(actor, "job.retried", "rq_job", job_id, after={"queue": queue.name, "call": job.func_name})
        after_commit(lambda: _requeue(queue, job_id))
    return queue.name


def _requeue(queue: Queue, job_id: str) -> None:
    try:
        FailedJobRegistry(queue=queue).requeue(job_id)
    except InvalidJobOperation:
        pass  # someone else retried it a moment ago: it is back on the queue either way
