"""/healthz for load balancers (HAProxy's `option httpchk`): whether this web process reaches the
database, Redis and the file store; no sign-in, no session, a few milliseconds. A read replica's
state and lag are reported beside them but never fail the check: its readers fall back to the primary."""

import logging
import time

from flask import current_app
from sqlalchemy import text

from models import db

from ..data import replica
from ..data.queue import get_redis
from ..files import storage

log = logging.getLogger(__name__)


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.remove()


def _redis() -> None:
    get_redis().ping()


def _store() -> None:
    storage.backend().ping()


CHECKS = {"database": _database, "redis": _redis, "storage": _store}


def _replica() -> dict:
    """{"replica": "ok" | "lagging" | "unreachable", "replica_lag_s": …} when one is set."""
    found = current_app.extensions.get("cchc_replica")
    if found is None:
        return {}
    state, lag = replica.probe(found)
    return {"replica": state, "replica_lag_s": None if lag is None else round(lag, 1)}


def report() -> tuple[dict, int]:
    """{"status": "ok"|"degraded", "database": "ok"|"unreachable", …, "ms": …}; 200, or 503
    when any is unreachable (the balancer then sends no traffic to this process)."""
    started, answer = time.perf_counter(), {}
    for name, check in CHECKS.items():
        try:
            check()
            answer[name] = "ok"
        except Exception as exc:  # any failure means "not reachable from here"; the reason goes to the log
            log.warning("healthz: %s unreachable: %s", name, exc)
            answer[name] = "unreachable"
    healthy = all(v == "ok" for v in answer.values())
    answer = {"status": "ok" if healthy else "degraded", **answer,
              "storage_backend": "s3" if current_app.config.get("STORAGE_URL") else "disk", **_replica(),
              "ms": round((time.perf_counter() - started) * 1000, 1)}
    return answer, 200 if healthy else 503
