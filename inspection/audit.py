"""The hash-chained audit trail: appended in the caller's transaction, verified on demand."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
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


def event_hash(event: AuditEvent) -> str:
    payload = [
        event.seq, event.at.isoformat(), event.actor_id, event.action, event.target_type,
        event.target_id, event.unit_id, event.before, event.after, event.prev_hash,
    ]
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _lock_chain() -> None:
    # Appends are serialised so concurrent writers extend one chain; on SQLite the database
    # write lock does this, and the unique seq refuses any fork that slips through.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def record(actor, action: str, target_type: str, target_id, *, unit_id=None,
           before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append one audit event inside the current transaction."""
    _lock_chain()
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        unit_id=unit_id,
        ip_address=request.remote_addr or "" if has_request_context() else "",
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


def verify_chain() -> list[str]:
    """Every break in the chain, in words; an empty list means the trail is intact."""
    problems, prev_hash, expected_seq = [], GENESIS, 1
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for event in rows:
        if event.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next is {event.seq})")
        if event.prev_hash != prev_hash:
            problems.append(f"seq {event.seq}: prev_hash does not match the previous event")
        if event_hash(event) != event.hash:
            problems.append(f"seq {event.seq}: content does not match its hash")
        prev_hash, expected_seq = event.hash, event.seq + 1
    return problems
