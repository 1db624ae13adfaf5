"""Asking for PDFs: the cache by input hash, new versions, the job's compare-and-set rules,
transient and permanent failures, the sweeper, the pages and the CLI."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

from rq.job import Job
from sqlalchemy import func, select

from inspection.data.queue import get_queue, get_redis
from inspection.demo.seed import DEMO_PASSWORD
from inspection.jobs.reports import render_report, sweep_reports
from inspection.reports import services
from models import Attachment, Report, Task, db, utcnow
from tests.factories import sign_in
from tests.s3 import free_port

from .support import pdf_text, run_jobs, stored_bytes


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_the_same_inputs_give_the_same_row_and_no_new_job(demo):
    leader, coordinator = demo.user("leader"), demo.user("coordinator")
    first = services.request_report(leader, "progress_report", demo.plan)
    again = services.request_report(coordinator, "progress_report", demo.plan)  # still queued
    assert again.id == first.id and get_queue("reports").count == 1
    run_jobs()
    cached = services.request_report(coordinator, "progress_report", demo.plan)
    assert (cached.id, cached.status) == (first.id, "ready")
    assert get_queue("reports").count == 0 and _count(Report) == 1


def test_changed_data_makes_a_new_version_and_the_old_one_stays(demo, client):
    leader = demo.user("leader")
    old = services.request_report(leader, "progress_report", demo.plan)
    run_jobs()
    task = db.session.execute(select(Task).where(Task.plan_id == demo.plan.id).order_by(Task.id)).scalars().first()
    task.title = "Nhiệm vụ đã đổi tên sau lần tạo đầu tiên"
    db.session.commit()
    new = services.request_report(leader, "progress_report", demo.plan)
    assert new.id != old.id and new.input_hash != old.input_hash
    run_jobs()
    sign_in(client, leader, DEMO_PASSWORD)
    old_pdf = client.get(f"/reports/{old.id}/download")
    assert old_pdf.status_code == 200 and old_pdf.mimetype == "application/pdf"
    assert "Nhiệm vụ đã đổi tên" not in pdf_text(old_pdf.data)
    assert "Nhiệm vụ đã đổi tên" in " ".join(pdf_text(stored_bytes(new.attachment_id)).split())


def test_a_storage_error_is_retried_and_the_second_attempt_ends_ready(demo, app, tmp_path, storage_backend):
    report = services.request_report(demo.user("leader"), "progress_report", demo.plan)
    blocked = tmp_path / "kho-khong-ghi-duoc"
    blocked.write_text("a file where the storage directory should be")
    # the disk store is a plain file; the object store's address answers nothing
    setting, broken = (("STORAGE_ENDPOINT", f"http://127.0.0.1:{free_port()}") if storage_backend
                       else ("STORAGE_DIR", str(blocked)))
    saved = app.config[setting]
    app.config[setting] = broken
    try:
        run_jobs()
    finally:
        app.config[setting] = saved
    db.session.refresh(report)
    assert (report.status, report.attempts) == ("queued", 1)
    assert "Lỗi tạm thời" in report.error
    queue = get_queue("reports")
    registry = queue.scheduled_job_registry
    assert registry.get_job_ids() == [report.rq_job_id]  # RQ's retry, with its backoff interval
    for job_id in registry.get_job_ids():  # the scheduler's move, without waiting for the interval
        registry.remove(job_id)
        queue.enqueue_job(Job.fetch(job_id, connection=get_redis()))
    run_jobs()
    db.session.refresh(report)
    assert (report.status, report.attempts, report.error) == ("ready", 2, "")
    assert stored_bytes(report.attachment_id)[:5] == b"%PDF-"
    if storage_backend:
        assert storage_backend.keys() == {db.session.get(Attachment, report.attachment_id).storage_key}


def test_a_pdf_the_store_refused_on_the_last_retry_is_rendered_again_by_the_sweeper(demo, app, storage_backend):
    saved = app.config["REPORT_MAX_RETRIES"], app.config["REPORT_QUEUED_GRACE"], app.config["STORAGE_DIR"]
    app.config.update(REPORT_MAX_RETRIES=0, REPORT_QUEUED_GRACE=0)  # the first attempt is RQ's last
    try:
        report = services.request_report(demo.user("leader"), "progress_report", demo.plan)
        broken = {"STORAGE_ENDPOINT": f"http://127.0.0.1:{free_port()}"} if storage_backend else {
            "STORAGE_DIR": str(demo_blocked_store(app))}
        before = {k: app.config[k] for k in broken}
        app.config.update(broken)
        try:
            run_jobs()
        finally:
            app.config.update(before)
        db.session.refresh(report)
        assert (report.status, report.attempts, report.attachment_id) == ("queued", 1, None)
        assert "hệ thống tự thử lại" in report.error
        assert sweep_reports() == "requeued: 1"  # its job is gone from RQ: a fresh attempt
        run_jobs()
        db.session.refresh(report)
        assert (report.status, report.attempts, report.error) == ("ready", 2, "")
        assert stored_bytes(report.attachment_id)[:5] == b"%PDF-"
    finally:
        app.config.update(REPORT_MAX_RETRIES=saved[0], REPORT_QUEUED_GRACE=saved[1], STORAGE_DIR=saved[2])


def demo_blocked_store(app):
    """A plain file where the disk store's directory should be."""
    blocked = Path(app.config["INSTANCE_DIR"]) / f"kho-khong-ghi-duoc-{uuid.uuid4().hex[:8]}"
    blocked.write_text("a file where the storage directory should be")
    return blocked


def test_a_permanent_error_fails_with_a_readable_reason_and_a_retry(demo, client):
    leader = demo.user("leader")
    good = services.request_report(leader, "progress_report", demo.plan)
    broken = services.create_report(leader, "progress_report", "plan", demo.plan.id, {"subject": "Mẫu cũ"})
    run_jobs()
    db.session.refresh(broken)
    assert broken.status == "failed" and broken.finished_at is not None
    assert broken.error.startswith("Không tạo được tệp PDF do lỗi khi dựng văn bản")
    assert "Error" not in broken.error and "undefined" not in broken.error  # never the exception's text
    assert get_queue("reports").failed_job_registry.get_job_ids() == [broken.rq_job_id]  # re-raised
    db.session.refresh(good)
    assert good.status == "ready"
    db.session.commit()
    sign_in(client, leader, DEMO_PASSWORD)
    page = client.get(f"/reports/{broken.id}").get_data(as_text=True)
    assert "Không tạo được tệp PDF" in page and "Thử lại" in page
    old_job = broken.rq_job_id
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post(f"/reports/{broken.id}/retry", data={"csrf_token": token}).status_code == 302
    db.session.refresh(broken)
    assert broken.status == "queued" and broken.rq_job_id != old_job and broken.error == ""
    assert get_queue("reports").job_ids == [broken.rq_job_id]


def test_an_attempt_that_lost_the_row_changes_nothing(demo):
    report = services.request_report(demo.user("leader"), "progress_report", demo.plan)
    stale_job = report.rq_job_id
    report.rq_job_id = str(uuid.uuid4())  # the sweeper gave the row a new attempt
    db.session.commit()
    assert render_report(report.id, stale_job) == "skipped"
    db.session.refresh(report)
    assert (report.status, report.attempts) == ("queued", 0)
    assert render_report(report.id, report.rq_job_id) == "ready"
    assert render_report(report.id, report.rq_job_id) == "skipped"  # redelivered after it finished
    db.session.refresh(report)
    assert (report.status, report.attempts) == ("ready", 1)


def test_the_sweeper_requeues_lost_jobs_and_fails_rows_out_of_attempts(demo, app, redis_client):
    leader = demo.user("leader")
    lost = services.request_report(leader, "progress_report", demo.plan)
    stale = services.request_report(leader, "remediation_report", demo.concluded)
    spent = services.request_report(leader, "minutes", demo.concluded)
    redis_client.flushdb()  # Redis lost every job
    stale.status, stale.started_at, stale.attempts = "rendering", utcnow() - timedelta(hours=1), 1
    spent.attempts = app.config["REPORT_MAX_ATTEMPTS"]
    for row in (lost, stale, spent):
        row.queued_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    jobs_before = {r.id: r.rq_job_id for r in (lost, stale, spent)}
    assert sweep_reports() == "failed: 1, requeued: 2"
    for row in (lost, stale, spent):
        db.session.refresh(row)
    assert (lost.status, stale.status, spent.status) == ("queued", "queued", "failed")
    assert lost.rq_job_id != jobs_before[lost.id] and stale.rq_job_id != jobs_before[stale.id]
    assert "lần thử" in spent.error
    assert sorted(get_queue("reports").job_ids) == sorted([lost.rq_job_id, stale.rq_job_id])
    assert sweep_reports() == "nothing stuck"  # their new jobs are in Redis
    run_jobs()
    db.session.refresh(lost)
    assert lost.status == "ready"


def test_the_status_page_polls_and_offers_the_download(demo, client):
    leader = demo.user("leader")
    report = services.request_report(leader, "progress_report", demo.plan)
    db.session.commit()
    sign_in(client, leader, DEMO_PASSWORD)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Đang chờ tạo tệp" in page and "js/reports.js" in page and "<script>" not in page
    assert client.get(f"/reports/{report.id}/status").get_json() == {
        "status": "queued", "label": "Đang chờ tạo tệp", "error": "", "download": None}
    assert client.get(f"/reports/{report.id}/download").status_code == 302  # not ready yet
    run_jobs()
    state = client.get(f"/reports/{report.id}/status").get_json()
    assert state["status"] == "ready" and state["download"] == f"/reports/{report.id}/download"
    download = client.get(state["download"])
    assert download.mimetype == "application/pdf" and download.data[:5] == b"%PDF-"
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_documents_page_asks_for_a_pdf_with_one_click(demo, client):
    coordinator = demo.user("coordinator")
    db.session.commit()
    sign_in(client, coordinator, DEMO_PASSWORD)
    page = client.get(f"/reports/plans/{demo.plan.id}").get_data(as_text=True)
    assert "Tạo PDF (dự thảo)" in page and "Ban hành" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(f"/reports/plans/{demo.plan.id}/request",
                           data={"csrf_token": token, "kind": "progress_report"})
    report = db.session.execute(select(Report)).scalar_one()
    assert response.headers["Location"] == f"/reports/{report.id}"
    bad = client.post(f"/reports/plans/{demo.plan.id}/request", data={"csrf_token": token, "kind": "minutes"},
                      follow_redirects=True)
    assert "Loại văn bản không hợp lệ" in bad.get_data(as_text=True) and _count(Report) == 1


def test_the_cli_renders_through_the_same_path(demo, app, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["render-report", "progress_report", str(demo.plan.id),
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "hoàn thành 22/24 nhiệm vụ (91,7%)" in " ".join(pdf_text(out.read_bytes()).split())
    again = app.test_cli_runner().invoke(args=["render-report", "progress_report", str(demo.plan.id),
                                               "--out", str(tmp_path / "lan-hai.pdf")])
    assert again.exit_code == 0 and _count(Report) == 1  # the cached rendering
    missing = app.test_cli_runner().invoke(args=["render-report", "minutes", "999999", "--out", str(out)])
    assert missing.exit_code != 0 and "Không tìm thấy" in missing.output
