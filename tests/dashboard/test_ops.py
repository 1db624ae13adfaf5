"""The operations page: administrators only; a job that failed on a real RQ queue shows with its
error and goes back on its queue from the retry button; a failed PDF rendering is tried again
from its own button; worker and scheduler heartbeats."""

import re
from datetime import timedelta

import pytest
import time_machine
from rq import SimpleWorker, Worker
from rq.cron import CronScheduler
from rq.job import Job
from sqlalchemy import select

from inspection.data.queue import enqueue, get_queue, get_redis
from inspection.jobs.reports import sweep_reports
from inspection.reports import services
from models import AuditEvent, Report, db, utcnow
from models.enums import Role
from tests.dashboard.conftest import text_of
from tests.factories import csrf_token
from tests.reports.support import Demo, run_jobs, stored_bytes
from tests.s3 import unwritable_store

ERROR = "Không đọc được mẫu văn bản: tệp bị hỏng"


def explode(name: str) -> None:
    """A job that always fails (run by the worker below)."""
    raise ValueError(f"{ERROR} ({name})")


def _failed_job(app) -> str:
    with app.app_context():
        job = enqueue("tests.dashboard.test_ops.explode", "bien-ban.html", retry=0)
        SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
        assert job.id in get_queue("default").failed_job_registry
    return job.id


@pytest.mark.parametrize("role", [Role.LEADER, Role.COORDINATOR, Role.UNIT_HEAD, Role.INSPECTOR, Role.VIEWER])
def test_only_administrators_open_the_operations_page(client, login_as, role):
    login_as(role, "pc" if role in (Role.LEADER, Role.COORDINATOR) else "a")
    assert client.get("/admin/ops").status_code == 403
    assert client.post("/admin/ops/retry", data={"job": "x"}).status_code in (400, 403)
    assert client.post("/admin/ops/reports/1/retry", data={}).status_code in (400, 403, 404)


def test_a_failed_job_shows_its_error_and_is_retried_from_the_page(app, client, login_as):
    job_id = _failed_job(app)
    login_as(Role.ADMIN, "root")
    page = client.get("/admin/ops").get_data(as_text=True)
    assert ERROR in text_of(page) and "tests.dashboard.test_ops.explode" in page
    assert re.search(r"default\s*</th>\s*<td>0</td>.*?<td class=\"alert-cell\">1</td>", page, re.S)
    response = client.post("/admin/ops/retry", data={"job": job_id, "csrf_token": csrf_token(client, "/admin/ops")})
    assert response.status_code == 303
    queue = get_queue("default")
    assert job_id in queue.job_ids and job_id not in queue.failed_job_registry
    assert "Đã đưa công việc trở lại hàng đợi" in text_of(client.get("/admin/ops").get_data(as_text=True))
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "job.retried")).scalar_one()
    assert event.target_id == job_id


def test_retrying_an_unknown_or_already_retried_job_changes_nothing(app, client, login_as):
    job_id = _failed_job(app)
    login_as(Role.ADMIN, "root")
    token = csrf_token(client, "/admin/ops")
    for bogus in ("khong-co-cong-viec-nay", "rq:job:" + job_id, ""):
        client.post("/admin/ops/retry", data={"job": bogus, "csrf_token": token})
    queue = get_queue("default")
    assert job_id in queue.failed_job_registry and queue.count == 0
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "job.retried")).first() is None
    assert client.post("/admin/ops/retry", data={"job": job_id}).status_code == 400  # no CSRF token


def test_heartbeats_of_workers_and_of_the_cron_scheduler(app, client, login_as):
    with app.app_context():
        worker = Worker([get_queue("reports"), get_queue("default")], connection=get_redis(), name="may-chu-1.123")
        worker.register_birth()
        worker.heartbeat()
        scheduler = CronScheduler(connection=get_redis(), name="lich-1")
        scheduler.register(explode, get_queue("default").name, args=("x",), interval=60)
        scheduler.register_birth()
        scheduler.heartbeat()
    login_as(Role.ADMIN, "root")
    page = text_of(client.get("/admin/ops").get_data(as_text=True))
    assert "may-chu-1.123 Đang hoạt động" in page and "lich-1 Đang hoạt động" in page
    assert "explode (60 s)" in page
    assert "Không có worker nào" not in page and "Không có bộ lập lịch nào" not in page


def test_without_workers_the_page_says_so(client, login_as):
    login_as(Role.ADMIN, "root")
    page = text_of(client.get("/admin/ops").get_data(as_text=True))
    assert "Không có worker nào" in page and "Không có bộ lập lịch nào" in page


def _release_scheduled() -> None:
    """Move RQ's scheduled retries onto the queue now (the scheduler's move, without the wait)."""
    queue = get_queue("reports")
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id)
        queue.enqueue_job(Job.fetch(job_id, connection=get_redis()))


def _rendering_failed_for_want_of_storage(app, tmp_path) -> Report:
    """A progress report whose every attempt met a file store that cannot be written (disk or S3)."""
    demo = Demo()
    report = services.request_report(demo.user("leader"), "progress_report", demo.plan)
    with unwritable_store(app, tmp_path):
        for _ in range(app.config["REPORT_MAX_ATTEMPTS"] + 2):  # RQ's own retries
            run_jobs()
            _release_scheduled()
        db.session.refresh(report)
        assert report.status == "queued" and "Lỗi tạm thời" in report.error  # left for the sweeper
        for hours in range(1, app.config["REPORT_MAX_ATTEMPTS"] + 3):  # the sweeper's attempts, each stuck long enough
            with time_machine.travel(utcnow() + timedelta(hours=hours)):
                sweep_reports()
                run_jobs()
                _release_scheduled()
            db.session.refresh(report)
            if report.status == "failed":
                break
    assert report.status == "failed" and "Không tạo được tệp PDF" in report.error
    return report


def test_a_failed_report_is_retried_from_the_page_and_ends_ready(app, client, login_as, tmp_path):
    report = _rendering_failed_for_want_of_storage(app, tmp_path)
    failed_job = report.rq_job_id
    db.session.commit()
    login_as(Role.ADMIN, "root")
    page = client.get("/admin/ops").get_data(as_text=True)
    assert f'action="/admin/ops/reports/{report.id}/retry"' in page and "Không tạo được tệp PDF" in text_of(page)
    token = csrf_token(client, "/admin/ops")
    response = client.post(f"/admin/ops/reports/{report.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.status == "queued" and report.rq_job_id != failed_job and report.error == ""
    assert get_queue("reports").job_ids == [report.rq_job_id]  # enqueued once the retry committed
    assert "trở lại hàng đợi để tạo lại" in text_of(client.get("/admin/ops").get_data(as_text=True))
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "report.retried")).scalar_one()
    assert event.target_id == str(report.id)
    run_jobs()  # the storage is writable again
    db.session.refresh(report)
    assert (report.status, report.error) == ("ready", "")
    assert stored_bytes(report.attachment_id)[:5] == b"%PDF-"
    assert "Không có bản PDF nào lỗi" in text_of(client.get("/admin/ops").get_data(as_text=True))


def test_a_report_retry_needs_its_token(app, client, login_as, tmp_path):
    report = _rendering_failed_for_want_of_storage(app, tmp_path)
    db.session.commit()
    login_as(Role.ADMIN, "root")
    assert client.post(f"/admin/ops/reports/{report.id}/retry", data={}).status_code == 400  # no CSRF token
    db.session.refresh(report)
    assert report.status == "failed" and get_queue("reports").count == 0
