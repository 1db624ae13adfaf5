"""The hash-chained audit trail: appended in the caller's transaction, verified on demand."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import select, text

from models import AuditEvent, db, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 727_001  # pg_advisory_xact_lock key reserved for audit appends


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def event_hash(event) -> str:
    """Every column but the surrogate id: the position (seq), the time, who, what, where from."""
    payload = [
        event.seq, event.at.isoformat(), event.actor_id, event.action, event.target_type,
        event.target_id, event.unit_id, event.ip_address, event.before, event.after, event.prev_hash,
    ]
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _lock_chain() -> None:
    # Appends are serialised so concurrent writers extend one chain; the unique seq refuses any
    # fork that slips through.
    db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def record(actor, action: str, target_type: str, target_id, *, unit_id=None,
           before: dict | None = None, after: dict | None = None) -> AuditEvent | None:
    """Append one audit event inside the current transaction (or, within appended_together(), keep
    it to be appended with the others when that ends; None then)."""
    fields = {"actor_id": getattr(actor, "id", None), "action": action, "target_type": target_type,
              "target_id": str(target_id), "unit_id": unit_id,
              "ip_address": request.remote_addr or "" if has_request_context() else "",
              "before": _plain(before) if before is not None else None,
              "after": _plain(after) if after is not None else None}
    later = g.get("audit_later") if has_app_context() else None
    if later is not None:
        later.append(fields)
        return None
    return _append([fields])[-1]


@contextmanager
def appended_together() -> Iterator[list]:
    """Within it, record() keeps its events, and they are appended together when it ends without an
    error (in the caller's transaction, before its commit): the chain's lock, held until the commit, is
    then taken for the appends alone rather than for all the work of a batch. Yields the kept events,
    so a part of the work rolled back to a savepoint can drop its own."""
    g.audit_later = later = []
    try:
        yield later
    finally:
        g.pop("audit_later", None)
    if later:
        _append(later)


def _append(rows: list[dict]) -> list[AuditEvent]:
    _lock_chain()
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    events = []
    for fields in rows:
        seq += 1
        event = AuditEvent(seq=seq, at=utcnow().replace(microsecond=0), prev_hash=prev, **fields)
        event.hash = prev = event_hash(event)
        events.append(event)
    db.session.add_all(events)
    db.session.flush()
    return events


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the last event, to be written down outside the database (an anchor)."""
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def verify_chain(anchors: tuple[tuple[int, str], ...] = ()) -> list[str]:
    """Every break in the chain, in words, each naming the event (seq) where it shows; an empty
    list means the trail is intact.

    The chain alone catches an edited, deleted, reordered or inserted event anywhere but at the
    very end: removing the last events, or rewriting the tail and recomputing its hashes, leaves a
    valid chain. `anchors` — (seq, hash) pairs written down earlier with `chain_head()` — catch
    that too: each must still be in the chain, unchanged."""
    problems, expected = [], {seq: digest for seq, digest in anchors if seq > 0}  # 0: the empty chain
    prev = None
    rows = db.session.execute(  # plain rows, streamed: no ORM objects to build
        select(AuditEvent.__table__).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    )
    for event in rows:
        problems += _link_problems(event, prev)
        if event.seq in expected and expected.pop(event.seq) != event.hash:
            problems.append(f"seq {event.seq}: hash differs from the anchor written down earlier")
        prev = event
    last = prev.seq if prev else 0
    problems += [f"seq {seq}: anchored but missing, the chain ends at seq {last} (events removed from the end?)"
                 for seq in sorted(expected)]
    return problems


def _link_problems(event, prev) -> list[str]:
    problems, where = [], f"seq {event.seq} (id {event.id}, {event.at.isoformat()})"
    expected_seq = prev.seq + 1 if prev else 1
    if event.seq > expected_seq:
        missing = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}–{event.seq - 1}"
        problems.append(f"seq {missing}: missing before {where} (deleted?)")
    elif event.seq < expected_seq:
        problems.append(f"{where}: out of sequence, expected seq {expected_seq}")
    if event.prev_hash != (prev.hash if prev else GENESIS):
        problems.append(f"{where}: prev_hash does not match the previous event")
    if event_hash(event) != event.hash:
        problems.append(f"{where}: content does not match its hash")
    if prev is not None and event.at < prev.at:
        problems.append(f"{where}: recorded before the previous event (seq {prev.seq}, "
                        f"{prev.at.isoformat()}): back-dated or reordered (or the server clock was set back)")
    return problems
