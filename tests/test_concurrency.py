"""Concurrency and real workers: separate connections, commits that really happen. (Races on
tasks and remediation actions: tests/plans/test_task_races.py, tests/remediation/test_action_races.py;
the audit chain under concurrent writers: tests/integrity/test_audit_chain.py.)"""

import os
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from inspection.admin import services as admin_services
from inspection.admin.units import UNIT_FIELDS
from inspection.data.queue import get_queue
from inspection.errors import Conflict
from inspection.jobs.sweeps import daily_housekeeping
from models import OrgUnit, ScheduledRun, db
from models.enums import Role
from tests.factories import make_unit, make_user
from tests.threads import at_once, in_app_context

pytestmark = pytest.mark.committed
ROOT = Path(__file__).resolve().parent.parent


def _seed_unit_and_admin():
    root = make_unit(name="Tỉnh Thử Nghiệm", kind="province")
    unit = make_unit(name="Ủy ban nhân dân xã Đua Ghi", parent=root)
    admin = make_user(role=Role.ADMIN, unit=root)
    db.session.commit()
    return unit.id, admin.id


def test_simultaneous_saves_of_one_record_never_overwrite_silently(committed):
    unit_id, admin_id = _seed_unit_and_admin()
    outcomes = []
    current_round = 0

    def save(n):
        from models import User

        actor, unit = db.session.get(User, admin_id), db.session.get(OrgUnit, unit_id)
        data = {f: getattr(unit, f) for f in UNIT_FIELDS}
        data["name"] = f"Tên lưu bởi người {n} lần {current_round}"
        try:
            admin_services.update_unit(actor, unit, data, version=1)
            outcomes.append(("saved", n))
        except Conflict:
            outcomes.append(("conflict", n))

    for current_round in range(5):
        outcomes.clear()
        at_once(*(in_app_context(committed, partial(save, n)) for n in range(2)))
        assert sorted(o[0] for o in outcomes) == ["conflict", "saved"]
        winner = next(n for kind, n in outcomes if kind == "saved")
        db.session.expire_all()
        unit = db.session.get(OrgUnit, unit_id)
        assert unit.name == f"Tên lưu bởi người {winner} lần {current_round}"
        # reset for the next round, as if both users had reopened the form
        db.session.execute(db.update(OrgUnit).where(OrgUnit.id == unit_id).values(version=1))
        db.session.commit()
        db.session.expire_all()


def test_a_daily_job_run_twice_the_same_day_acts_once(committed):
    committed.config["DAILY_RUN_HOUR"] = 0
    results = at_once(*[in_app_context(committed, daily_housekeeping)] * 3)
    results.append(daily_housekeeping())
    assert sorted(results) == [False, False, False, True]
    assert db.session.execute(select(func.count(ScheduledRun.id))).scalar_one() == 1


def test_a_real_forked_worker_runs_a_queued_job(committed, database_url, redis_url, tmp_path):
    committed.config["DAILY_RUN_HOUR"] = 0
    job = get_queue("default").enqueue("inspection.jobs.sweeps.daily_housekeeping")
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, CCHC_INSTANCE_DIR=str(tmp_path),
               CCHC_PROFILE="demo", CCHC_DAILY_RUN_HOUR="0", TZ="Asia/Ho_Chi_Minh")
    done = subprocess.run([sys.executable, "worker.py", "--burst"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    job.refresh()
    assert job.get_status() == "finished"
    db.session.expire_all()
    assert db.session.execute(select(ScheduledRun.job_name)).scalars().all() == ["daily_housekeeping"]


def test_two_transactions_changing_what_is_offered_in_crossed_order_both_commit(committed):
    """The catalog version (models/catalog.py) is bumped at commit, by deferred triggers: one
    transaction adds a supporting unit and then edits the plan, the other edits the plan first.
    They wait on the plan's row, never on each other through the version (an immediate trigger
    would lock the version row first and deadlock them)."""
    from models import CatalogVersion, Plan
    from tests.factories import make_plan, make_task

    unit_id, _ = _seed_unit_and_admin()
    unit = db.session.get(OrgUnit, unit_id)
    plan = make_plan(unit=unit, number="7/KH-UBND")
    task = make_task(unit=unit, plan=plan)
    helper = make_unit(name="Phòng Văn hóa - Xã hội xã Đua Ghi", parent=unit)
    db.session.commit()
    ids = {"plan": plan.id, "task": task.id, "helper": helper.id}
    before = db.session.get(CatalogVersion, 1).version
    added, plan_locked = threading.Event(), threading.Event()

    def adds_support_then_edits_plan():
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO task_support_unit (task_id, unit_id) VALUES (:task, :helper)"), ids)
            added.set()
            assert plan_locked.wait(10)
            conn.execute(text("UPDATE plan SET title = 'Sửa lần 1' WHERE id = :plan"), ids)  # waits for the other

    def edits_plan_then_commits():
        assert added.wait(10)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE plan SET title = 'Sửa lần 2' WHERE id = :plan"), ids)
            plan_locked.set()
            threading.Event().wait(0.5)  # the other transaction is now waiting on the plan

    results = at_once(in_app_context(committed, adds_support_then_edits_plan),
                     in_app_context(committed, edits_plan_then_commits))
    assert results == [None, None]  # both committed: at_once raises a thread's error
    db.session.expire_all()
    assert db.session.get(Plan, ids["plan"]).title == "Sửa lần 1"
    assert db.session.get(CatalogVersion, 1).version > before
