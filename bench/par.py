"""`python -m bench par`: the Chỉ số CCHC of a province, in bench/results/par.json.

A scratch database `cchc_bench_par` (server at TEST_DATABASE_URL) holds 130 communes assessed on a
90-sub-criterion index: 11,700 scores, appraised, with a change history row per score.
- `par.results.seconds`: computing the round's results and ranking (median of 5; bar ≤ 2 s);
- `par.self_assessment.p95_ms`: a commune's 90-row self-assessment page as its officer sees it,
  served the way bench/web.py serves the web pages (gunicorn as shipped, WORKERS sync workers, a
  private Redis) and loaded by bench/load.py from its own process, 10 requests in flight, REQUESTS
  requests after a warm-up of two per session (each worker draws its templates once); `.p50_ms`
  beside it; `.worker_cpu_ms`, the gunicorn workers' CPU time per page (PostgreSQL's not counted),
  which moves less than the times with what else runs on the machine; `par.floor.p50_ms`, `/livez`
  at 10 in flight just before (what the machine gave any page then);
  `par.self_assessment.load_average`, the machine's 1-minute load average as the page was measured;
  `par.self_assessment.statements`, SQL statements per page, counted in this process (bar ≤ 15).
- `par.evidence_pack.peak_rss_mb` and `.seconds`: a commune's pack of 450 evidence files of 1 MB
  (random, so incompressible) built by `build_pack` in a child forked by a fresh process holding the
  app, as RQ's work horse is a fork of the worker; its peak RSS (the child's own ru_maxrss, from
  wait4, which counts what it shares with that parent) against a bar of 250 MB."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask_migrate
import psutil
from sqlalchemy import event, insert, select, text, update

from bench import scratch_database

from .web import RESULTS, free_port, gunicorn, load, machine, server_environment, sign_in

UNITS, SUBS, IN_FLIGHT = 130, 90, 10
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "400"))  # as bench/web.py
# BENCH_PAR_ONLY=page: the self-assessment page only (its figures printed, par.json untouched)
ONLY = os.environ.get("BENCH_PAR_ONLY", "")
PACK_FILES, PACK_FILE_BYTES = 450, 1 << 20
PASSWORD = "bench-password"
INSTANCE = "/tmp/cchc-bench-par"  # the evidence files, read back by the pack's own process
DATES = {"self_due": date(2026, 10, 15), "appraisal_due": date(2026, 11, 15),
         "explanation_due": date(2026, 11, 30), "publish_due": date(2026, 12, 20)}


def _rows() -> list[dict]:
    rules = [("typed", None), ("yes_no", None), ("banded", [[98, 1], [95, 0.5]])]
    return [{"area_code": str(n // 12 + 1), "area_name": f"Lĩnh vực {n // 12 + 1}",
             "criterion_code": f"{n // 12 + 1}.{n // 3}", "criterion_text": f"Tiêu chí {n // 3}",
             "code": f"{n // 12 + 1}.{n // 3}.{n % 3 + 1}",
             "text": f"Tiêu chí thành phần số {n + 1}", "max_points": 1, "rule": rules[n % 3][0],
             "bands": rules[n % 3][1], "evidence_required": True} for n in range(SUBS)]


def _fill():
    from inspection.auth.passwords import hash_password
    from inspection.language.text import fold
    from inspection.par import catalogue, rounds
    from models import Membership, OrgUnit, ParAssessment, ParScore, ParScoreChange, User, db

    def unit(code, name, kind, parent=None):
        u = OrgUnit(code=code, name=name, name_folded=fold(name), kind=kind, parent_id=parent)
        db.session.add(u)
        db.session.flush()
        return u

    root = unit("ROOT", "Tỉnh Đồng Tháp", "province")
    pc = unit("PC", "Ủy ban nhân dân tỉnh Đồng Tháp", "peoples_committee", root.id)
    communes = [unit(f"X{n:03d}", f"Ủy ban nhân dân xã Số {n:03d}", "commune", pc.id) for n in range(UNITS)]
    hashed = hash_password(PASSWORD)
    users = {}
    for name, role, home in (("coordinator", "coordinator", pc), ("officer", "unit_officer", communes[0])):
        users[name] = User(username=name, full_name=name, full_name_folded=name, password_hash=hashed)
        users[name].memberships = [Membership(role=role, unit_id=home.id)]
        db.session.add(users[name])
    db.session.commit()
    index = catalogue.create_index(users["coordinator"], unit=pc, year=2026, level="commune",
                                   title="Bộ chỉ số CCHC cấp xã năm 2026", rows=_rows())
    round_ = rounds.open_round(users["coordinator"], index, dates=DATES)
    db.session.execute(update(ParScore).values(self_points=Decimal("1"), note="Đã thực hiện",
                                               appraised_points=Decimal("0.5")).where(ParScore.id % 3 == 0))
    db.session.execute(update(ParScore).values(self_points=Decimal("1"), note="Đã thực hiện")
                       .where(ParScore.id % 3 != 0))
    ids = db.session.execute(select(ParScore.id)).scalars().all()
    db.session.execute(insert(ParScoreChange), [{"score_id": i, "stage": "self", "old_points": None,
                                                "new_points": Decimal(1), "reason": ""} for i in ids])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    mine = db.session.execute(select(ParAssessment.id).where(ParAssessment.unit_id == communes[0].id)).scalar_one()
    return round_.id, mine, len(ids)


def _pack(app, database: str, assessment_id: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of building the pack of `assessment_id` with PACK_FILES files, as the
    worker does: a fresh process with the app (`python -m bench.par pack`, as worker.py) forks the
    work horse that builds it; the horse's own peak RSS (wait4), which counts what it shares with
    that parent, and never this process's earlier children nor its own size (make bench's parts)."""
    import io

    from inspection.files import storage
    from models import ParAssessment, ParEvidence, ParScore, db

    with app.app_context():
        assessment = db.session.get(ParAssessment, assessment_id)
        score_ids = db.session.execute(select(ParScore.id).where(ParScore.assessment_id == assessment_id)
                                       .order_by(ParScore.id)).scalars().all()
        for n in range(PACK_FILES):
            body = b"%PDF-1.4\n" + os.urandom(PACK_FILE_BYTES - 9)  # a PDF header: stored as an upload is
            attachment = storage.store(io.BytesIO(body), f"minh-chung-{n}.pdf", kind="par_bench", scan=False)
            db.session.flush()
            db.session.add(ParEvidence(score_id=score_ids[n % len(score_ids)], unit_id=assessment.unit_id,
                                       attachment_id=attachment.id, title=f"Minh chứng {n}"))
        db.session.commit()
        db.engine.dispose()
    done = subprocess.run([sys.executable, "-m", "bench.par", "pack", database, str(assessment_id)],
                          capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return measured["seconds"], measured["peak_rss_mb"]


def _build_pack_as_the_worker(database: str, assessment_id: int) -> None:
    """`python -m bench.par pack DATABASE ID`: the app, then a forked work horse building the pack."""
    from app import create_app
    from inspection.par.evidence_pack import build_pack

    os.environ.setdefault("CCHC_INSTANCE_DIR", INSTANCE)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")})
    start = time.perf_counter()
    child = os.fork()
    if child == 0:  # the work horse
        with app.app_context():
            os._exit(0 if build_pack(assessment_id) else 1)
    _, status, usage = os.wait4(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the pack was not built"
    print(json.dumps({"seconds": time.perf_counter() - start, "peak_rss_mb": usage.ru_maxrss / 1024}))


def _client(app):
    import re

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
    return client


def _statements(app, client, path: str) -> int:
    from models import db

    with app.app_context():
        engine = db.engine
    counted = []
    listener = lambda *args: counted.append(1)  # noqa: E731
    client.get(path)  # warm up: the session's first page reads the catalog
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(counted)


def _served(database: str, path: str) -> dict:
    """The page under gunicorn, loaded from another process: its p95 and p50 at IN_FLIGHT, and the floor."""
    with tempfile.TemporaryDirectory(prefix="cchc-bench-par-") as tmp:
        env, redis_proc = server_environment(Path(tmp), database)
        port = free_port()
        server = gunicorn(env, port)
        try:
            officers = [sign_in(port, "officer", PASSWORD) for _ in range(IN_FLIGHT)]
            load(port, path, IN_FLIGHT, officers, 2 * IN_FLIGHT)  # the warm-up, not counted
            floor = load(port, "/livez", IN_FLIGHT, [])
            load_average = os.getloadavg()[0]  # what else ran on the machine (1 min), as the page was measured
            print(f"self-assessment page under gunicorn, load average {load_average:.1f}", flush=True)
            spent = _workers_cpu(server)
            page = load(port, path, IN_FLIGHT, officers)
            spent = _workers_cpu(server) - spent
        finally:
            server.terminate()
            server.wait(timeout=30)
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
    return {"par.self_assessment.p95_ms": (page["p95"], "ms"), "par.self_assessment.p50_ms": (page["p50"], "ms"),
            "par.self_assessment.worker_cpu_ms": (spent / REQUESTS * 1000, "ms"),
            "par.floor.p50_ms": (floor["p50"], "ms"), "par.self_assessment.load_average": (load_average, "load")}


def _workers_cpu(server) -> float:
    """CPU seconds (user and system) the gunicorn workers of `server` have spent so far."""
    return sum(sum(worker.cpu_times()[:2]) for worker in psutil.Process(server.pid).children())


def _results_seconds(round_id: int) -> float:
    """Median of 5 computations of the round's results and ranking (after one not counted)."""
    from inspection.par import results
    from models import ParRound, db

    timings = []
    for _ in range(6):
        start = time.perf_counter()
        ranked = results.round_results(db.session.get(ParRound, round_id))
        timings.append(time.perf_counter() - start)
        db.session.expire_all()
    assert len(ranked) == UNITS
    return statistics.median(timings[1:])


def main() -> None:
    os.environ.setdefault("CCHC_INSTANCE_DIR", INSTANCE)
    from app import create_app

    started_on, database = machine(), scratch_database("cchc_bench_par")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")})
    with app.app_context():
        flask_migrate.upgrade()
        round_id, mine, scores = _fill()
        figures = {"par.results.seconds": (_results_seconds(round_id), "s"), "par.round.scores": (scores, "scores")}
    path = f"/chi-so-cchc/tu-danh-gia/{mine}"
    if not ONLY:  # the page is measured with the pack's 450 evidence files in place (5 a row)
        pack_seconds, pack_rss = _pack(app, database, mine)
        figures |= {"par.evidence_pack.seconds": (pack_seconds, "s"), "par.evidence_pack.peak_rss_mb": (pack_rss, "MB")}
    figures |= _served(database, path)
    figures["par.self_assessment.statements"] = (_statements(app, _client(app), path), "statements")
    payload = {"machine": started_on,
               "figures": {k: {"value": round(v, 4), "unit": u} for k, (v, u) in figures.items()}}
    if not ONLY:
        (RESULTS / "par.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(f"\nMachine: {started_on}\n")
    print("| figure | value | unit |\n| --- | ---: | --- |")
    for name, figure in payload["figures"].items():
        print(f"| {name} | {figure['value']} | {figure['unit']} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pack"]:
        _build_pack_as_the_worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
