"""The precomputed summary: the units a committed change touched are recounted by the next run of
its job; everything is rebuilt when the day turns and every few minutes; a summary from another
day or too old is never used (the page counts live and says so); two rebuilds at once never
double a count."""

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from inspection.dashboard import summary
from inspection.dashboard.board import get_dashboard
from inspection.dashboard.facts import facts, live_source, stored_source
from inspection.dashboard.period import year_period
from inspection.demo.seed import seed_demo
from inspection.jobs.summary import refresh_dashboard
from inspection.language.formatting import local_today
from inspection.plans.workflow import accept_task
from models import Task, db, utcnow
from models.dashboard import DashboardFact, DashboardRefresh
from models.enums import TaskStatus
from tests.dashboard.conftest import text_of


def _stored_total() -> int:
    return db.session.execute(select(func.coalesce(func.sum(DashboardFact.n), 0))).scalar_one()


def test_a_committed_change_is_in_the_figures_after_the_next_run_of_the_job(demo):
    coordinator, year = demo["user"]("coordinator"), year_period(local_today().year)
    refresh_dashboard()  # seeding the demo was a change
    assert refresh_dashboard() == "fresh"  # nothing changed since, and it is recent
    before = get_dashboard(coordinator, year).board.tasks
    waiting = db.session.execute(select(Task).where(Task.status == TaskStatus.SUBMITTED)).scalars().first()
    accept_task(coordinator, waiting)
    assert get_dashboard(coordinator, year).board.tasks == before  # the summary still holds the old counts
    assert refresh_dashboard() == "1 units"  # only the task's unit is recounted
    after = get_dashboard(coordinator, year).board.tasks
    assert (after.awaiting_review, after.done) == (before.awaiting_review - 1, before.done + 1)


def test_a_summary_computed_yesterday_is_never_shown_and_the_job_rebuilds_it(client, demo, demo_login):
    demo_login("leader")
    summary.refresh_summary(today=local_today() - timedelta(days=1), through=summary.changes()[1])
    page = text_of(client.get("/dashboard").get_data(as_text=True))
    assert "Số liệu tính trực tiếp lúc" in page  # overdue counts change at midnight without any edit
    assert refresh_dashboard() == "full"
    assert db.session.get(DashboardRefresh, 1).computed_on == local_today()
    assert "Số liệu cập nhật lúc" in text_of(client.get("/dashboard").get_data(as_text=True))


def test_the_job_rebuilds_everything_every_few_minutes(app, demo):
    summary.refresh_summary(through=summary.changes()[1])
    state = db.session.get(DashboardRefresh, 1)
    state.full_at = utcnow() - timedelta(seconds=app.config.get("DASHBOARD_FULL_REFRESH_SECONDS", 600) + 1)
    db.session.commit()
    assert refresh_dashboard() == "full"
    assert utcnow() - db.session.get(DashboardRefresh, 1).full_at < timedelta(seconds=10)


def test_recounting_the_units_of_a_reassigned_task_equals_a_full_rebuild(demo):
    summary.refresh_summary(through=summary.changes()[1])
    task = db.session.execute(select(Task).where(Task.status == TaskStatus.SUBMITTED)).scalars().first()
    old_unit, new_unit = task.unit_id, demo["unit"]("TH-SARAI").id
    task.unit_id = new_unit
    db.session.commit()
    assert summary.changes()[0] == {old_unit, new_unit}
    assert refresh_dashboard() == "2 units"
    assert Counter(facts(stored_source())) == Counter(facts(live_source(local_today())))


def test_a_bulk_update_marks_the_units_it_moved_tasks_between(demo):
    """No ORM object sees a bulk statement; the triggers derived from the summary's declaration do."""
    summary.refresh_summary(through=summary.changes()[1])
    waiting = select(Task.id).where(Task.status == TaskStatus.SUBMITTED).limit(2)
    moved = db.session.execute(select(Task.unit_id).where(Task.id.in_(waiting))).scalars().all()
    new_unit = demo["unit"]("TH-SARAI").id
    db.session.execute(update(Task).where(Task.id.in_(waiting)).values(unit_id=new_unit))
    db.session.commit()
    assert summary.changes()[0] == {*moved, new_unit}
    assert refresh_dashboard() == f"{len({*moved, new_unit})} units"
    assert summary.changes()[0] == set()  # cleared with the recount
    assert Counter(facts(stored_source())) == Counter(facts(live_source(local_today())))


def test_the_page_counts_live_when_the_summary_is_too_old(app, demo):
    summary.refresh_summary()
    state = db.session.get(DashboardRefresh, 1)
    state.refreshed_at = utcnow() - timedelta(seconds=app.config.get("DASHBOARD_MAX_AGE", 1800) + 1)
    db.session.commit()
    assert get_dashboard(demo["user"]("leader"), year_period(2024)).freshness.live


def test_a_refresh_stores_exactly_the_live_counts(demo):
    summary.refresh_summary()
    summary.refresh_summary()
    assert Counter(facts(stored_source())) == Counter(facts(live_source(local_today())))


def test_two_refreshes_at_once_never_double_a_count(app, committed):
    seed_demo("demo")
    expected = sum(f.n for f in facts(live_source(local_today())))
    errors = []

    def refresh():
        with app.app_context():
            try:
                summary.refresh_summary()
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.remove()
    assert _stored_total() == expected


def test_a_merge_of_units_recounts_everything_at_the_next_run(demo):
    from inspection.admin.merges import merge_units

    summary.refresh_summary(through=summary.changes()[1])
    communes = [demo["unit"]("TH-TANTHANHA").id, demo["unit"]("TH-TANTHANHB").id]
    merge_units(demo["user"]("admin"), predecessor_ids=communes, effective_on=local_today(),
                new_successor={"code": "TH-TANTHANH", "name": "Ủy ban nhân dân xã Tân Thành", "kind": "commune",
                               "parent_id": demo["unit"]("TH").id})
    assert refresh_dashboard() == "full"
