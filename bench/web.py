"""`python -m bench web` (part of `make bench`): the web pages on a province's data, under
gunicorn, loaded from a separate process on loopback.

Builds a scratch PostgreSQL database `cchc_bench_web` (BENCH_WEB_DATABASE; server at TEST_DATABASE_URL) with the
data set of bench/province.py, starts a private Redis and gunicorn with the worker count we ship
on 2 cores ((2 × cores) + 1 sync workers), signs users in through the real form, runs
bench/load.py at 10 and 50 requests in flight, counts SQL statements per page in-process, and
writes bench/results/web.json ({"machine": …, "figures": {name: {"value", "unit"}}}).

Before the task lists are measured, every signed-in head and leader opens the list twice (a
warm-up, not counted), as on a server that has been up: its processes have drawn those rows
(inspection/web/rows.py), remembered the filters (inspection/data/catalog.py) and PostgreSQL has planned the
statements; a commune's first view of the day draws its rows (about 4 ms of CPU more, in-process).

Besides the lists and the dashboard: the inspection page with SHOWCASE_FINDINGS findings and their
photos, and the tablets' sync (batches of bench.load.SYNC_BATCH findings, each batch one request to
/api/v1/sync, from inspectors on the team). The citizens' survey: bench/feedback.py.
`<page>.floor_ratio` is the page's p50 at 10 in flight ÷
the floor's p50 (the README's "ratio of each page to the floor"; for the sync, one batch ÷ the floor).
BENCH_WEB_ONLY=sync measures the floor and the sync only and prints them (web.json is left alone);
BENCH_WEB_ONLY=lists the floor, the commune task list and the survey's answers, for comparing a
cache on and off (e.g. CCHC_CACHE_ROWS=0) in two runs; BENCH_WEB_ONLY=caches the floor and
every cache on and off (bench/caches.py, in every full run too), merged into web.json."""

import base64
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench import BASE, scratch_database

from . import caches, feedback

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "400"))
# BENCH_WEB_ONLY=sync: only the floor and the tablets' sync; =lists: the floor, the commune task list and
# the survey's answers (on/off comparisons); printed, bench/results/web.json untouched
ONLY = os.environ.get("BENCH_WEB_ONLY", "")
SYNC_BATCHES = int(os.environ.get("BENCH_WEB_SYNC_BATCHES", "60"))  # × bench.load.SYNC_BATCH findings
WORKERS = 2 * (os.cpu_count() or 2) + 1
DATABASE = os.environ.get("BENCH_WEB_DATABASE", "cchc_bench_web")  # another name: two benches on one server
# lists or caches only: the data set of an earlier run
REUSE = ONLY in ("lists", "caches") and os.environ.get("BENCH_WEB_REUSE") == "1"
PAGE_ROWS = 50  # rows per list page, as the task-list figure is defined (the product's default is 25)


def _database() -> str:
    if REUSE:
        url = make_url(BASE.replace("postgresql://", "postgresql+psycopg://", 1))
        return url.set(database=DATABASE).render_as_string(hide_password=False)
    return scratch_database(DATABASE)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, PostgreSQL on the same machine, gunicorn {WORKERS} sync "
            f"workers; load average at start {os.getloadavg()[0]:.1f}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(env: dict, port: int, root: Path = ROOT) -> subprocess.Popen:
    """gunicorn as we ship it on 2 cores (WORKERS sync workers), serving the app of the tree at `root`."""
    bindir = Path(sys.executable).parent
    proc = subprocess.Popen([str(bindir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                             "--log-level", "warning", "app:create_app()"], cwd=root, env=env)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _cookie(response) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie")


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the form; returns the session cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    body = f"username={username}&password={password}&csrf_token={token}"
    conn.request("POST", "/login", body=body, headers={"Cookie": _cookie(response),
                                                        "Content-Type": "application/x-www-form-urlencoded"})
    signed = conn.getresponse()
    signed.read()
    if signed.status != 302:
        raise RuntimeError(f"sign-in of {username} failed: {signed.status}")
    return _cookie(signed)


def csrf_session(port: int, cookie: str) -> str:
    """A signed-in session for the JSON API: "cookie|CSRF token" (the token from a form on the
    home page; the answer's cookie carries the token's secret)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/", headers={"Cookie": cookie})
    response = conn.getresponse()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    jar = dict(part.split("=", 1) for part in f"{cookie}; {_cookie(response)}".split("; ") if "=" in part)
    return "; ".join(f"{k}={v}" for k, v in jar.items()) + f"|{token}"


def load_sync(port: int, inspection_id: int, day, concurrency: int, sessions: list[str], batches: int) -> dict:
    """Sync batches from the tablets (bench/load.py --sync) for the inspection on `day`;
    `sessions` are "cookie|csrf token"."""
    out = subprocess.run([sys.executable, "-m", "bench.load", "--sync", f"http://127.0.0.1:{port}",
                          str(inspection_id), day.isoformat(), str(concurrency), str(batches), *sessions],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["errors"]:
        raise RuntimeError(f"sync: {result['errors']} findings were not stored (201)")
    return result


def load(port: int, path: str, concurrency: int, cookies: list[str], requests: int = REQUESTS) -> dict:
    """Run bench/load.py in its own process; returns its figures."""
    out = subprocess.run([sys.executable, "-m", "bench.load", f"http://127.0.0.1:{port}", path, str(concurrency),
                          str(requests), *cookies], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["errors"]:
        raise RuntimeError(f"{path}: {result['errors']} answers were not 200")
    return result


def _deep_cursor(fraction: float = 0.75) -> str:
    """The keyset cursor of the leader's task list (by deadline) at `fraction` of the way through."""
    from models import Task, db

    total = db.session.execute(db.select(db.func.count(Task.id))).scalar_one()
    row = db.session.execute(db.select(Task.deadline, Task.id).order_by(Task.deadline, Task.id)
                             .offset(int(total * fraction)).limit(1)).one()
    return base64.urlsafe_b64encode(json.dumps([row.deadline.isoformat(), row.id]).encode()).decode()


def _statements(app, username: str, paths: list[str]) -> dict[str, int]:
    """SQL statements per page (after a warm-up request), in-process against the same database."""
    from bench.__main__ import _signed_in_client
    from tests.querycount import statement_budget

    client = _signed_in_client(app, username)
    counts = {}
    for path in paths:
        client.get(path)
        with statement_budget(app, 10_000) as statements:
            assert client.get(path).status_code == 200, path
        counts[path] = len(statements)
    return counts


def _figure(value: float, unit: str) -> dict:
    return {"value": round(value, 2), "unit": unit}


def _showcase() -> dict[str, int]:
    """Ids for the detail pages: the inspection with photos and the one receiving the sync (see
    bench/province.py), a task, a remediation action and the plan of the current year."""
    from models import Inspection, Plan, RemediationAction, Task, db

    from .province import DETAIL_NUMBER, FIELD_NUMBER

    def first(stmt):
        return db.session.execute(stmt.limit(1)).scalar_one()

    return {"inspection": first(db.select(Inspection.id).where(Inspection.number == DETAIL_NUMBER)),
            "field": first(db.select(Inspection.id).where(Inspection.number == FIELD_NUMBER)),
            "task": first(db.select(Task.id).order_by(Task.id)),
            "action": first(db.select(RemediationAction.id).order_by(RemediationAction.id)),
            "plan": first(db.select(Plan.id).order_by(Plan.year.desc(), Plan.id))}  # the first province's


def _measure(app, port: int, env: dict) -> dict:
    """Every figure: p50/p95 under load, the deep-page ratio, statements per page."""
    from models import db
    from models.dashboard import DashboardRefresh

    from .province import PASSWORD

    leaders = [sign_in(port, "leader", PASSWORD) for _ in range(10)]
    heads = [sign_in(port, f"head{n}", PASSWORD) for n in range(50)]
    inspectors = [sign_in(port, f"inspector{n % 2}", PASSWORD) for n in range(10)]  # the showcase's team
    ids = _showcase()
    floor = load(port, "/livez", 10, [])["p50"]
    figures = {"web.floor.p50_ms": _figure(floor, "ms")}
    # what the load balancer's health check costs (database, Redis and the store asked), one at a time; bar 50 ms
    figures["web.healthz.p95_ms"] = _figure(load(port, "/healthz", 1, [])["p95"], "ms")
    if ONLY == "sync":
        return figures | _sync_figures(port, ids, inspectors, floor)
    users = {"heads": heads, "leaders": leaders}
    if ONLY == "caches":
        _refresh_figures(app)  # a fresh summary: the dashboard's page is kept for it
        return figures | caches.measure(env, port, users)
    for group in (heads, leaders):  # the warm-up, not counted: each user opens the task list twice
        load(port, "/tasks", len(group), group, 2 * len(group))
    at_10 = {}  # page → its figures at 10 in flight, for the ratios to the floor
    for n in (10, 50):
        result = load(port, "/tasks", n, heads[:n])
        figures[f"web.task_list.p95_ms.{n}_in_flight"] = _figure(result["p95"], "ms")
        at_10.setdefault("task_list", result)
    if ONLY == "lists":
        return figures | _survey_figures(port, at_10["task_list"], floor)
    at_10["task_list.leader"] = first = load(port, "/tasks", 10, leaders)
    deep = load(port, f"/tasks?after={_deep_cursor()}", 10, leaders)["p95"]
    figures["web.task_list.leader.p95_ms.10_in_flight"] = _figure(first["p95"], "ms")
    figures["web.task_list.deep_page.ratio"] = _figure(deep / first["p95"], "ratio")
    figures["web.task_list.deep_page.p95_ms"] = _figure(deep, "ms")
    figures.update(feedback.measure(port, _desk_token(), heads, REQUESTS))
    figures.update(_refresh_figures(app))
    for n in (10, 50):
        result = load(port, "/dashboard", n, leaders)  # the same page for every leader: the cache serves it
        figures[f"web.dashboard.p95_ms.{n}_in_flight"] = _figure(result["p95"], "ms")
        figures[f"web.dashboard.p50_ms.{n}_in_flight"] = _figure(result["p50"], "ms")
        at_10.setdefault("dashboard", result)
    uncached = load(port, "/dashboard?v={n}", 10, leaders, 100)  # a different page each time: all rendered
    figures["web.dashboard.uncached.p95_ms.10_in_flight"] = _figure(uncached["p95"], "ms")
    figures["web.dashboard.uncached.p50_ms.10_in_flight"] = _figure(uncached["p50"], "ms")
    at_10["dashboard.uncached"] = uncached
    at_10["dashboard.head"] = head = load(port, "/dashboard?v={n}", 10, heads)
    figures["web.dashboard.head.p95_ms.10_in_flight"] = _figure(head["p95"], "ms")
    at_10["inspection_detail"] = detail = load(port, f"/inspections/{ids['inspection']}", 10, inspectors)
    figures["web.inspection_detail.p95_ms"] = _figure(detail["p95"], "ms")
    figures["web.inspection_detail.p50_ms"] = _figure(detail["p50"], "ms")
    figures.update(_sync_figures(port, ids, inspectors, floor))
    for page, result in at_10.items():
        figures[f"web.{page}.floor_ratio"] = _figure(result["p50"] / floor, "ratio")
    figures.update(caches.measure(env, port, users))
    with app.app_context():
        db.session.execute(db.delete(DashboardRefresh))  # no summary: the page counts live
        db.session.commit()
    live = load(port, "/dashboard?v={n}", 10, leaders, 50)
    figures["web.dashboard.live.p95_ms.10_in_flight"] = _figure(live["p95"], "ms")
    return figures


def _survey_figures(port: int, tasks: dict, floor: float) -> dict:
    """BENCH_WEB_ONLY=lists: the commune task list's floor ratio and the survey's answers at 50 in flight."""
    from .feedback import submit

    answers = submit(port, _desk_token(), REQUESTS)
    return {"web.task_list.floor_ratio": _figure(tasks["p50"] / floor, "ratio"),
            "web.feedback_submit.p95_ms": _figure(answers["p95"], "ms"),
            "web.feedback_submit.p50_ms": _figure(answers["p50"], "ms")}


def _desk_token() -> str:
    """A one-stop desk of the first commune, and its poster's token (bench/feedback.py)."""
    from inspection.feedback import tokens
    from models import Desk, OrgUnit, db

    unit = db.session.execute(select(OrgUnit).where(OrgUnit.kind == "commune").order_by(OrgUnit.id)).scalars().first()
    desk = Desk(unit_id=unit.id, name="Bộ phận tiếp nhận và trả kết quả", token_id=tokens.new_token_id())
    db.session.add(desk)
    db.session.commit()
    return tokens.sign(desk.id, desk.token_id)


def _sync_figures(port: int, ids: dict, inspectors: list[str], floor: float) -> dict:
    """The tablets' sync: 10 tablets at once, each sending batches of bench.load.SYNC_BATCH findings."""
    from models import Inspection, db

    sessions = [csrf_session(port, cookie) for cookie in inspectors]
    day = db.session.get(Inspection, ids["field"]).start_on  # device times on its date (midnight may pass)
    sync = load_sync(port, ids["field"], day, 10, sessions, SYNC_BATCHES)
    return {"web.sync_batch.p95_ms": _figure(sync["p95"], "ms"), "web.sync_batch.p50_ms": _figure(sync["p50"], "ms"),
            "web.sync_batch.floor_ratio": _figure(sync["p50"] / floor, "ratio")}


def _refresh_figures(app) -> dict:
    """How long the summary takes to rebuild, and to recount one commune after a change."""
    from inspection.dashboard import summary
    from models import Task, db

    with app.app_context():
        started = time.perf_counter()
        summary.refresh_summary()
        full = (time.perf_counter() - started) * 1000
        unit = db.session.execute(db.select(Task.unit_id).limit(1)).scalar_one()
        started = time.perf_counter()
        summary.refresh_units([unit])
        one = (time.perf_counter() - started) * 1000
        db.session.remove()
    return {"web.dashboard.summary_full_refresh_ms": _figure(full, "ms"),
            "web.dashboard.summary_unit_refresh_ms": _figure(one, "ms")}


def _statement_figures(app) -> dict:
    from inspection.dashboard import summary

    with app.app_context():
        summary.refresh_summary()
    lists = {**_statements(app, "leader", ["/tasks", "/inspections", "/remediation", "/plans"]),
             **_statements(app, "head1", ["/tasks", "/remediation"])}
    dashboard = _statements(app, "leader", ["/dashboard"])["/dashboard"]
    with app.app_context():
        ids = _showcase()
    details = {"task_detail": f"/tasks/{ids['task']}", "inspection_detail": f"/inspections/{ids['inspection']}",
               "remediation_detail": f"/remediation/{ids['action']}", "plan_detail": f"/plans/{ids['plan']}"}
    counted = _statements(app, "leader", list(details.values()))
    team = _statements(app, "inspector0", [details["inspection_detail"]])  # the team lead's page has its forms
    counted[details["inspection_detail"]] = max(counted[details["inspection_detail"]], *team.values())
    figures = {"web.queries_per_page.max": _figure(max(lists.values()), "statements"),
               "web.queries_per_page.detail_max": _figure(max(counted.values()), "statements"),
               "web.queries_per_page.dashboard": _figure(dashboard, "statements")}
    for name, path in details.items():
        figures[f"web.queries_per_page.{name}"] = _figure(counted[path], "statements")
    return figures


def server_environment(tmp: Path, database: str) -> tuple[dict, subprocess.Popen]:
    """The served app's environment on `database`, with its own Redis and files under `tmp`; the Redis process."""
    from inspection.server.runner import _embedded_redis

    redis_proc, redis_url = _embedded_redis(tmp)
    env = dict(os.environ, DATABASE_URL=database, REDIS_URL=redis_url, CCHC_INSTANCE_DIR=str(tmp),
               CCHC_STORAGE_DIR=str(tmp / "files"), CCHC_PROFILE="demo", TZ="Asia/Ho_Chi_Minh")
    return env, redis_proc


def environment(tmp: Path, database: str) -> tuple[dict, subprocess.Popen]:
    """The measured server's environment on `database` (also this process's: the in-process counts)."""
    env, redis_proc = server_environment(tmp, database)
    env.update(CCHC_PAGE_SIZE=str(PAGE_ROWS),
               # the survey: citizens' own addresses through the proxy's header; posted at once
               CCHC_PROXY_FIX="1", CCHC_FEEDBACK_MIN_SECONDS="0")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CCHC_INSTANCE_DIR", "CCHC_STORAGE_DIR",
                                           "CCHC_PROFILE", "CCHC_PAGE_SIZE")})
    return env, redis_proc


def _run(env: dict) -> dict:
    import flask_migrate

    from app import create_app
    from models import db

    from .province import fill

    started_on = machine()
    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        counts = {"reused": DATABASE} if REUSE else fill()
        print(f"data set: {counts} in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
    return {"machine": started_on, "data": counts, "figures": measure_served(app, env)}


def measure_served(app, env: dict) -> dict:
    """Every figure of `app`'s database, served by gunicorn with `env` (bench/national.py too)."""
    port = free_port()
    server = gunicorn(env, port)
    try:
        with app.app_context():
            figures = _measure(app, port, env)
        if not ONLY:
            figures.update(_statement_figures(app))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-web-") as tmp:
        env, redis_proc = environment(Path(tmp), _database())
        try:
            result = _run(env)
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
    if ONLY == "caches":
        result = caches.merged(json.loads((RESULTS / "web.json").read_text()), result)
    if ONLY in ("", "caches"):
        (RESULTS / "web.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    for name, figure in result["figures"].items():
        print(f"{name}: {figure['value']} {figure['unit']}")


if __name__ == "__main__":
    main()
