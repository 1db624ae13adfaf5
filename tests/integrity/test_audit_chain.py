"""The audit trail holds: many people writing at once still make one linear chain, and
`flask audit verify` names the event of every injected tampering (an edited field, a deleted
event, a reorder, a back-dated insert) and exits non-zero."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import insert, select, text

from inspection.plans import assignments, workflow
from inspection.security import audit
from models import AuditEvent, Task, User, db
from models.enums import Role
from tests.factories import make_unit, make_user
from tests.threads import at_once, in_app_context

ROOT = Path(__file__).resolve().parents[2]
WRITERS, CALLS = 6, 5


def _people():
    pc = make_unit(name="Ủy ban nhân dân tỉnh Thử Nghiệm", kind="peoples_committee")
    commune = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    leader = make_user(role=Role.LEADER, unit=pc)
    officers = [make_user(role=Role.UNIT_OFFICER, unit=commune) for _ in range(WRITERS)]
    return leader, officers, commune


def _task(leader, commune, title="Cập nhật hồ sơ một cửa") -> Task:
    return assignments.add_task(leader, None, {"number": "", "title": title, "description": "", "expected_output": "",
                                         "deadline": date(2030, 1, 1), "area_id": None, "unit_id": commune.id,
                                         "support_unit_ids": []})


def _chain() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


@pytest.mark.committed
def test_writers_at_once_through_the_services_extend_one_linear_chain(committed):
    """Six officers each post five comments and five progress reports at the same time (one task
    each, plus a shared one): every event is on one chain, in order, with no fork and no gap."""
    leader, officers, commune = _people()
    db.session.commit()
    shared = _task(leader, commune).id
    own = [_task(leader, commune, f"Nhiệm vụ riêng {n}").id for n in range(WRITERS)]
    ids = [o.id for o in officers]

    def write(n):
        officer = db.session.get(User, ids[n])
        for i in range(CALLS):
            workflow.comment_task(officer, db.session.get(Task, shared), note=f"Ý kiến {n}-{i}")
            workflow.report_progress(officer, db.session.get(Task, own[n]), progress=10 * (i + 1), note="")

    at_once(*(in_app_context(committed, lambda n=n: write(n)) for n in range(WRITERS)))

    chain = _chain()
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert all(e.prev_hash == p.hash for p, e in zip(chain, chain[1:], strict=False)), "a fork or a gap"
    assert len({e.prev_hash for e in chain}) == len(chain)  # no two events claim the same parent
    assert all(p.at <= e.at for p, e in zip(chain, chain[1:], strict=False))
    actions = [e.action for e in chain]
    assert actions.count("task.commented") == actions.count("task.progress") == WRITERS * CALLS
    assert audit.verify_chain() == []


# ---- tampering, each one as someone with write access to the database would do it ----------

def _on(day: int):
    return time_machine.travel(datetime(2026, 3, day, 8, 30, tzinfo=UTC), tick=False)


@pytest.fixture
def trail(ctx):
    """Eight events from real service calls, a day apart (seq 2 and 3 share a moment)."""
    leader, officers, commune = _people()
    with _on(2):
        task = _task(leader, commune)
    with _on(3):
        workflow.report_progress(officers[0], task, progress=20, note="Đã rà soát hồ sơ")  # start + progress
    for n in range(5):
        with _on(4 + n):
            workflow.comment_task(officers[n % 2], task, note=f"Ý kiến số {n}")
    assert [e.seq for e in _chain()] == list(range(1, 9))
    assert audit.verify_chain() == []
    return task


def verify(app, *args) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def head(app) -> str:
    return app.test_cli_runner().invoke(args=["audit", "head"]).output.strip()


def sql(statement: str, **params) -> None:
    db.session.execute(text(statement), params)
    db.session.expire_all()


def forge(seq: int, at: datetime, prev_hash: str, **fields) -> dict:
    """An event that hashes correctly: the attacker knows the algorithm."""
    values = {"seq": seq, "at": at, "actor_id": None, "action": "task.accepted", "target_type": "task",
              "target_id": "1", "unit_id": None, "ip_address": "", "before": None, "after": {"status": "done"},
              "prev_hash": prev_hash} | fields
    values["hash"] = audit.event_hash(AuditEvent(**values))
    return values


def insert_event(values: dict) -> None:
    db.session.execute(insert(AuditEvent.__table__).values(**values))
    db.session.expire_all()


def row(seq: int) -> AuditEvent:
    return db.session.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one()


def assert_caught(app, *seqs: int, why: str, args=()) -> None:
    """`audit verify` exits 1 with a line naming each of `seqs` and saying `why`."""
    code, output = verify(app, *args)
    assert code == 1, output
    lines = output.splitlines()
    for seq in seqs:
        assert any(line.startswith((f"seq {seq} ", f"seq {seq}:")) and why in line for line in lines), output


def test_an_intact_trail_verifies(app, trail):
    assert verify(app) == (0, "Nhật ký kiểm tra toàn vẹn: chuỗi băm hợp lệ.\n")
    assert verify(app, "--anchor", head(app), "--anchor", f"0:{audit.GENESIS}")[0] == 0
    assert verify(app, "--anchor", "tam-bay")[0] == 2  # a mistyped anchor is a usage error, not "intact"


@pytest.mark.parametrize("column, value", [
    ("after", '{"progress": 100}'),  # the figure reported
    ("before", '{"status": "done"}'),
    ("actor_id", None),  # who did it
    ("action", "task.accepted"),
    ("target_id", "999"),
    ("ip_address", "10.0.0.99"),  # where from
    ("at", "2026-01-01 00:00:00+00"),
])
def test_an_edited_field_is_named(app, trail, column, value):
    sql(f'UPDATE audit_event SET "{column}" = :v WHERE seq = 4', v=value)
    assert_caught(app, 4, why="content does not match its hash")


def test_a_deleted_event_is_named(app, trail):
    sql("DELETE FROM audit_event WHERE seq = 5")
    assert_caught(app, 5, why="missing")


def test_deleting_the_first_event_is_named(app, trail):
    sql("DELETE FROM audit_event WHERE seq = 1")
    assert_caught(app, 1, why="missing")


def test_events_removed_from_the_end_are_caught_by_an_anchor(app, trail):
    anchor = head(app)
    assert anchor == f"8:{row(8).hash}"
    sql("DELETE FROM audit_event WHERE seq >= 7")
    assert verify(app)[0] == 0  # the chain alone cannot see a shorter tail (SECURITY.md)
    assert_caught(app, 8, why="anchored but missing", args=("--anchor", anchor))


def test_swapped_sequence_numbers_are_named(app, trail):
    sql("UPDATE audit_event SET seq = -seq WHERE seq IN (3, 6)")
    sql("UPDATE audit_event SET seq = CASE seq WHEN -3 THEN 6 ELSE 3 END WHERE seq IN (-3, -6)")
    assert_caught(app, 3, 6, why="content does not match its hash")


def test_swapped_timestamps_are_named(app, trail):
    sql("UPDATE audit_event a SET at = b.at FROM audit_event b WHERE (a.seq, b.seq) IN ((2, 6), (6, 2))")
    assert_caught(app, 2, 6, why="content does not match its hash")
    assert_caught(app, 3, why="back-dated or reordered")


def test_a_back_dated_insert_in_the_middle_is_named(app, trail):
    """Make room at seq 4 and slip in an old event hashed on seq 3: it is in the past, and every
    event after it no longer matches."""
    sql("UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 4")
    sql("UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1000")
    insert_event(forge(4, datetime(2025, 1, 2, 8, 0, tzinfo=UTC), row(3).hash))
    assert_caught(app, 4, why="back-dated")
    assert_caught(app, 5, why="prev_hash does not match")


def test_a_back_dated_event_forged_at_the_end_is_named(app, trail):
    """Hashed and chained correctly, but dated before the event it follows."""
    last = row(8)
    insert_event(forge(9, last.at - timedelta(days=30), last.hash))
    assert_caught(app, 9, why="back-dated")


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_by_an_anchor(app, trail):
    """The strongest tampering: insert at seq 6 and recompute every later hash, keeping the
    times in order. Only an anchor written down before can tell."""
    anchor = head(app)
    kept = ("at", "actor_id", "action", "target_type", "target_id", "unit_id", "ip_address", "before", "after")
    tail = [{c: getattr(row(seq), c) for c in kept} for seq in (6, 7, 8)]
    sql("DELETE FROM audit_event WHERE seq >= 6")
    prev = row(5)
    forged = forge(6, prev.at, prev.hash)
    insert_event(forged)
    for seq, values in enumerate(tail, start=7):
        forged = forge(seq, prev_hash=forged["hash"], **values)
        insert_event(forged)
    assert verify(app)[0] == 0  # a valid chain…
    assert_caught(app, 8, why="hash differs from the anchor", args=("--anchor", anchor))


@pytest.mark.committed
def test_the_real_command_exits_non_zero_and_names_the_event(committed, database_url, redis_url, tmp_path):
    leader, officers, commune = _people()
    db.session.commit()
    task = _task(leader, commune)
    workflow.report_progress(officers[0], task, progress=30, note="Đang làm")
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, CCHC_INSTANCE_DIR=str(tmp_path),
               CCHC_PROFILE="demo", FLASK_APP="app")
    assert verify(committed) == (0, "Nhật ký kiểm tra toàn vẹn: chuỗi băm hợp lệ.\n")
    db.session.execute(text("UPDATE audit_event SET after = '{\"progress\": 100}' WHERE seq = 3"))
    db.session.commit()
    tampered = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "audit", "verify"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert tampered.returncode == 1, tampered.stderr[-2000:]
    assert "seq 3 " in tampered.stderr and "content does not match its hash" in tampered.stderr
