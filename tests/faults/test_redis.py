"""Redis faults with the real worker (worker.py) and the real scheduler (`rq cron`) running on a
private Redis: a restart (clean, or a crash that loses the data) and a FLUSHALL with reports
queued. The Report rows in PostgreSQL are the record: every report ends ready, a report asked for
while Redis was down is acknowledged and ends ready too, and the daily jobs keep running."""

import re
import signal
import time

import pytest
from sqlalchemy import delete, select

from inspection.reports import services
from models import Attachment, Inspection, Plan, Report, ScheduledRun, User, db

from .conftest import until

pytestmark = [pytest.mark.faults, pytest.mark.committed]
DAILY = {"daily_housekeeping", "task_reminders", "remediation_escalation"}  # their once-a-day rows


class Requests:
    """The demo district and the leader asking for its PDFs through the service, as the web does."""

    def __init__(self):
        from inspection.demo.seed import seed_demo

        seed_demo("demo")
        self.leader = db.session.execute(select(User).where(User.username == "leader")).scalar_one()
        self.plan = db.session.execute(select(Plan).where(Plan.year == 2024)).scalar_one()
        self.concluded = db.session.execute(select(Inspection).where(Inspection.status == "concluded")
                                            .order_by(Inspection.id)).scalars().first()

    def ask(self, kind: str) -> int:
        subject = self.plan if kind == "progress_report" else self.concluded
        return services.request_report(self.leader, kind, subject).id


def statuses(ids: list[int]) -> dict[int, str]:
    db.session.rollback()  # a fresh look at the rows the processes write
    return {i: db.session.get(Report, i).status for i in ids}


def all_ready(ids: list[int]) -> bool:
    return set(statuses(ids).values()) == {"ready"}


def daily_jobs_ran() -> set[str]:
    db.session.rollback()
    return set(db.session.execute(select(ScheduledRun.job_name).where(ScheduledRun.finished_at.is_not(None)))
               .scalars())


def assert_daily_jobs_run_again() -> None:
    """As on a new day: today's records of the daily jobs gone, the scheduler runs them again."""
    db.session.execute(delete(ScheduledRun))
    db.session.commit()
    until(lambda: daily_jobs_ran() >= DAILY, 30, "the daily jobs to run after the fault")


def test_reports_queued_across_a_redis_crash_and_restart_all_end_ready(processes, on_private_redis, tmp_path):
    worker, cron = processes.worker(tmp_path / "worker.log"), processes.cron(tmp_path / "cron.log")
    asked = Requests()
    ids = [asked.ask("progress_report"), asked.ask("minutes")]
    until(lambda: "rendering" in statuses(ids).values(), 60, "the worker to start rendering")
    on_private_redis.stop(signal.SIGKILL)  # a crash: the queue, the job being rendered, the registries lost
    ids.append(asked.ask("conclusion"))  # acknowledged while Redis is down: the row is the record
    assert statuses(ids[-1:]) == {ids[-1]: "queued"}
    time.sleep(1.5)
    on_private_redis.start()
    until(lambda: all_ready(ids), 60, f"every report to end ready: {statuses(ids)}")
    assert worker.poll() is None and cron.poll() is None, "a process died with the Redis restart"
    # the worker restarted its RQ scheduler (which enqueues the retries of transient errors)
    until(lambda: on_private_redis.client().exists("rq:scheduler-lock:reports"), 30, "RQ's scheduler to restart")
    assert_daily_jobs_run_again()


def test_a_flushed_redis_loses_no_report(processes, on_private_redis, tmp_path):
    processes.worker(tmp_path / "worker.log")
    processes.cron(tmp_path / "cron.log")
    asked = Requests()
    ids = [asked.ask(kind) for kind in ("progress_report", "minutes", "conclusion")]
    on_private_redis.client().flushall()  # queued jobs, the one being rendered, registrations: all gone
    until(lambda: all_ready(ids), 60, f"the sweeper to re-enqueue every row and the worker to render it: "
                                      f"{statuses(ids)}")
    pdfs = db.session.scalars(select(Attachment).where(Attachment.kind == "report_pdf")).all()
    assert sorted(p.id for p in pdfs) == sorted(db.session.get(Report, i).attachment_id for i in ids)  # one each
    assert_daily_jobs_run_again()


def test_the_task_list_shows_every_row_while_redis_is_down_and_after(committed, on_private_redis):
    """The list's rows are remembered in Redis too (inspection/web/rows.py): with Redis gone they are
    drawn again, and the page a commune head sees is the same before, during and after."""
    from inspection.demo.seed import DEMO_PASSWORD, seed_demo
    from inspection.web import rows
    from tests.factories import sign_in

    seed_demo("demo")
    head = db.session.execute(select(User).where(User.username == "head")).scalar_one()
    client = committed.test_client()
    sign_in(client, head, DEMO_PASSWORD)

    def task_rows() -> list[str]:
        rows._drawn.clear()  # as in a web process that has not drawn them yet
        response = client.get("/tasks")
        assert response.status_code == 200
        return re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', response.get_data(as_text=True))

    before = task_rows()
    assert before and before == task_rows()  # the second time from Redis
    on_private_redis.stop(signal.SIGKILL)
    assert task_rows() == before
    on_private_redis.start()
    assert task_rows() == before
