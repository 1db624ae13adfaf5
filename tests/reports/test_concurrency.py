"""Simultaneous requests and issues on separate connections (commits really happen): one row and
one job for the same inputs, distinct numbers for documents issued at the same moment."""

import logging
import threading
import time

import pytest
from sqlalchemy import func, select, text

from inspection.data.queue import get_queue
from inspection.demo.seed import seed_demo
from inspection.reports import services
from models import Document, Plan, Report, Task, User, db

pytestmark = pytest.mark.committed


def _together(app, work, count: int = 2, meanwhile=None) -> tuple[list, list]:
    """Run work(n) in `count` threads released at once, each with its own app context and
    connection; `meanwhile()` runs while they do."""
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def run(n):
        with app.app_context():
            try:
                barrier.wait()
                results[n] = work(n)
            except Exception as exc:  # asserted by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    if meanwhile is not None:
        meanwhile()
    for thread in threads:
        thread.join(120)
    return results, errors


def _demo_ids() -> tuple[int, list[int]]:
    seed_demo("demo")
    plan_id = db.session.execute(select(Plan.id).where(Plan.year == 2024)).scalar_one()
    users = db.session.execute(select(User.id).where(User.username.in_(["leader", "coordinator"]))).scalars()
    return plan_id, list(users)


AUDIT_LOCK = 727_001  # inspection.security.audit's advisory lock: every state change takes it before commit
WAITING = text("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
               "WHERE NOT l.granted AND a.datname = current_database()")


def _hold_first_transaction_open():
    """Hold the audit lock so the first request stays uncommitted after inserting its row, until the
    second request is blocked on the unique index behind it; then let both go."""
    holder = db.engine.connect()
    holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": AUDIT_LOCK})

    def release():
        deadline = time.monotonic() + 30
        while holder.execute(WAITING).scalar_one() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = holder.execute(WAITING).scalar_one()
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": AUDIT_LOCK})
        holder.close()
        assert waiting >= 2, "the two requests never overlapped"

    return release


@pytest.fixture
def joins(caplog):
    """The log of requests that met a simultaneous one at the unique index (Alembic's logging
    setup disables loggers that existed before the migrations ran: enabled again here)."""
    logger = logging.getLogger("inspection.reports.services")
    was_disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.INFO, logger=logger.name)
    yield lambda: caplog.text.count("joined a simultaneous request")
    logger.disabled = was_disabled


def test_simultaneous_requests_for_the_same_inputs_make_one_row_and_one_job(committed, joins):
    plan_id, user_ids = _demo_ids()
    queue = get_queue("reports")
    for round_ in range(4):
        task = db.session.execute(select(Task).where(Task.plan_id == plan_id).order_by(Task.id)).scalars().first()
        task.title = f"Rà soát thủ tục hành chính (lần {round_})"  # new inputs each round
        db.session.commit()

        def ask(n):
            plan, user = db.session.get(Plan, plan_id), db.session.get(User, user_ids[n])
            return services.request_report(user, "progress_report", plan).id

        ids, errors = _together(committed, ask, meanwhile=_hold_first_transaction_open())
        assert errors == [] and ids[0] == ids[1]
        assert queue.count == round_ + 1
        assert joins() == round_ + 1  # the second request met the first at the unique index
    assert db.session.execute(select(func.count(Report.id))).scalar_one() == 4


def test_documents_issued_at_the_same_moment_get_distinct_numbers(committed):
    plan_id, user_ids = _demo_ids()

    def issue(n):
        plan, user = db.session.get(Plan, plan_id), db.session.get(User, user_ids[n])
        return services.issue_document(user, "progress_report", plan).number_text

    numbers, errors = _together(committed, issue)
    assert errors == []
    assert sorted(numbers) == ["01/BC-UBND", "02/BC-UBND"]
    assert db.session.execute(select(func.count(Document.id))).scalar_one() == 2
