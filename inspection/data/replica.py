"""Reads that tolerate seconds of lag, from a PostgreSQL streaming replica (DATABASE_REPLICA_URL).

One mechanism: `with replica.reads() as source:` around what a page reads. Inside the block
db.session sends its plain SELECTs to the replica (models.base.RoutingSession); flushes, writes,
SELECT … FOR UPDATE and everything outside the block stay on the primary. The block reads the
primary instead, and says why in the log, when:
- this browser wrote within REPLICA_MAX_LAG seconds (read-after-write: every POST, PUT, PATCH or
  DELETE but signing in and out answers with a cookie that lasts that long; a replica read only
  happens when the replica is at most that far behind, so it then holds the browser's own writes);
- the replica did not answer (then it is left alone for REPLICA_RETRY seconds);
- it is more than REPLICA_MAX_LAG seconds behind the primary;
- for a worker's job (a large export), it has not yet replayed the primary's position when the
  user asked for it (position(), passed to the job): the job then sees what the user saw.
/healthz reports the replica's state without failing the app (health.py)."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from models import db

from ..config import engine_options

log = logging.getLogger(__name__)
WROTE_COOKIE = "cchc_wrote"
# posts that write only the sign-in session, which no replica page shows: a leader who has just
# signed in reads the dashboard from the replica
SESSION_ONLY = frozenset({"auth.login", "auth.two_factor", "auth.logout"})
# seconds the replica is behind: 0 when it has replayed all it received (an idle primary),
# else since the last transaction it replayed; NULL when that is unknown (then: not used)
# and whether it has replayed the primary's position `after` (NULL: nothing asked)
LAG = text("SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
           "ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END, "
           "coalesce(pg_last_wal_replay_lsn() >= CAST(:after AS pg_lsn), true)")
POSITION = text("SELECT pg_current_wal_insert_lsn()::text")


@dataclass
class Replica:
    engine: Engine
    down_until: float = 0.0  # time.monotonic() before which the replica is not asked


@dataclass(frozen=True)
class Source:
    """Where a block read: the replica (with its lag in seconds) or the primary (and why)."""

    replica: bool
    lag: float | None = None
    reason: str = ""

    def shown_lag(self) -> int | None:
        """The lag the page states ("Số liệu cập nhật cách đây N giây"), when above REPLICA_SHOW_LAG."""
        if not self.replica or self.lag is None or self.lag < current_app.config["REPLICA_SHOW_LAG"]:
            return None
        return int(self.lag)


def init_app(app) -> None:
    """The replica's engine (connections opened on first use) and the read-after-write cookie."""
    url = app.config.get("REPLICA_DATABASE_URL")
    if not url:
        return
    engine = create_engine(url, **engine_options(app.config, {
        "pool_pre_ping": True, "connect_args": {"connect_timeout": 2, "application_name": "cchc-replica-reads"}}))
    app.extensions["cchc_replica"] = Replica(engine)
    app.after_request(_mark_writer)


def _mark_writer(response):
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.endpoint not in SESSION_ONLY:
        response.set_cookie(WROTE_COOKIE, "1", max_age=current_app.config["REPLICA_MAX_LAG"], httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def position() -> str | None:
    """The primary's WAL position now (None without a replica): work done later elsewhere, a
    worker's job, passes it to reads(after=…) to see everything committed until now."""
    if current_app.extensions.get("cchc_replica") is None:
        return None
    return db.session.execute(POSITION).scalar()


def lag_of(replica: Replica, after: str | None = None) -> tuple[float | None, bool]:
    """The replica's lag in seconds, and whether it has replayed `after` (raises when it does not answer)."""
    with replica.engine.connect() as conn:
        lag, replayed = conn.execute(LAG, {"after": after}).one()
    return (None if lag is None else max(0.0, float(lag))), replayed  # (the hosts' clocks may differ a little)


def probe(replica: Replica, after: str | None = None) -> tuple[str, float | None]:
    """("ok" | "lagging" | "behind" (has not replayed `after`) | "unreachable", lag); a replica
    that did not answer is not asked again for REPLICA_RETRY seconds."""
    if time.monotonic() < replica.down_until:
        return "unreachable", None
    try:
        lag, replayed = lag_of(replica, after)
    except (SQLAlchemyError, OSError) as exc:
        replica.down_until = time.monotonic() + current_app.config["REPLICA_RETRY"]
        log.warning("replica unreachable, reading the primary for %s s: %s",
                    current_app.config["REPLICA_RETRY"], str(exc).splitlines()[0])
        return "unreachable", None
    if lag is None or lag > current_app.config["REPLICA_MAX_LAG"]:
        return "lagging", lag
    return ("ok" if replayed else "behind"), lag


def choose(after: str | None = None) -> Source:
    """The source of the next block's reads (see the module's docstring)."""
    replica = current_app.extensions.get("cchc_replica")
    if replica is None:
        return Source(False, reason="no replica")
    if has_request_context() and request.cookies.get(WROTE_COOKIE):
        return Source(False, reason="read-after-write")
    state, lag = probe(replica, after)
    if state == "lagging":
        log.warning("replica %s s behind (limit %s s): reading the primary", lag,
                    current_app.config["REPLICA_MAX_LAG"])
    elif state == "behind":
        log.info("replica has not replayed %s yet: reading the primary", after)
    return Source(True, lag) if state == "ok" else Source(False, lag, reason=state)


@contextmanager
def reads(after: str | None = None) -> Iterator[Source]:
    """Plain SELECTs of db.session inside the block go to the replica when it is usable (and, with
    `after`, has replayed that position of the primary: see position())."""
    source = choose(after)
    if not source.replica:
        yield source
        return
    session = db.session()
    session.info["read_bind"] = current_app.extensions["cchc_replica"].engine
    try:
        yield source
    finally:
        session.info.pop("read_bind", None)
