"""`python -m bench cpu`: what one request of each page costs, in-process, on `bench web`'s data set:
figures that other work on the machine moves far less than response times.

Runs on the database an earlier `python -m bench web` built (BENCH_WEB_DATABASE, default
cchc_bench_web; its migrations brought up to date) with a private Redis. Signs in a commune head,
the leader and the showcase's team lead, then for each page — the commune's task list, the
leader's dashboard, the inspection page with its 50 findings, one finding posted to the API and a
tablet's sync batch of 20 findings — makes BENCH_CPU_WARM_UP (20) requests, not counted, then
BENCH_CPU_REQUESTS (100) through the app's test client, and prints per request: the app's CPU
(time.process_time), PostgreSQL's (its backends' on-CPU time, /proc/PID/schedstat) and Redis's.
On a machine shared with other work the CPU figures still move by a third or more; compare trees
by alternating their runs, or by instructions.

Under callgrind, BENCH_CPU_CALLGRIND=1 adds the app's instructions per request, which no other load
moves (kernel work, such as a Redis round trip's system calls, is not in them):

    BENCH_CPU_CALLGRIND=1 valgrind --tool=callgrind --cache-sim=no --instr-atstart=no \\
        --callgrind-out-file=/tmp/cg.%p python -m bench cpu

(instrumentation starts after the sign-ins; callgrind_control dumps the counts around each page)."""

import glob
import json
import os
import re
import subprocess
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

from .web import DATABASE, PAGE_ROWS, server_environment

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "100"))
WARM_UP = int(os.environ.get("BENCH_CPU_WARM_UP", "20"))
CALLGRIND = os.environ.get("BENCH_CPU_CALLGRIND") == "1"


def _on_cpu_ns(pid: int) -> int:
    """Nanoseconds the process has run on a CPU (0 once it has gone)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except OSError:
        return 0


def _backends(monitor) -> list[int]:
    """The PostgreSQL backends serving the app (not `monitor`'s own)."""
    return [row[0] for row in monitor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()")]


def _callgrind(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def _instructions(hint: str) -> int:
    """The instructions of the dump named `hint` (the file callgrind wrote for it)."""
    for name in glob.glob(f"/tmp/cg.{os.getpid()}.*") + glob.glob(f"callgrind.out.{os.getpid()}.*"):
        text = Path(name).read_text()
        if f"desc: Trigger: dump {hint}\n" in text:
            return int(re.search(r"^summary: (\d+)", text, re.M).group(1))
    raise RuntimeError(f"no callgrind dump {hint!r} (--callgrind-out-file=/tmp/cg.%p)")


def measure(name: str, call, monitor, redis_pid: int) -> dict:
    """Warm up, then REQUESTS calls: CPU per request of the app, PostgreSQL and Redis (ms)."""
    for number in range(WARM_UP):
        call(number)
    if CALLGRIND:
        _callgrind("-d", f"warm-{name}")
    backends = _backends(monitor)
    postgres, redis, app = sum(map(_on_cpu_ns, backends)), _on_cpu_ns(redis_pid), time.process_time()
    for number in range(WARM_UP, WARM_UP + REQUESTS):
        call(number)
    app = (time.process_time() - app) * 1000 / REQUESTS
    if CALLGRIND:
        _callgrind("-d", name)
    postgres = (sum(map(_on_cpu_ns, backends)) - postgres) / 1e6 / REQUESTS
    redis = (_on_cpu_ns(redis_pid) - redis) / 1e6 / REQUESTS
    figures = {"app_cpu_ms": app, "postgres_cpu_ms": postgres, "redis_cpu_ms": redis}
    if CALLGRIND:
        figures["app_instructions_m"] = _instructions(name) / 1e6 / REQUESTS
    return {key: round(value, 3) for key, value in figures.items()}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _client(app, username: str):
    from .province import PASSWORD

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": _token(html)})
    assert answer.status_code == 302, (username, answer.status_code)
    return client


def _get(client, path: str):
    def call(_number: int) -> None:
        assert client.get(path).status_code == 200, path
    return call


def _post(client, path: str, body, status: int):
    token = _token(client.get("/").get_data(as_text=True))

    def call(number: int) -> None:
        answer = client.post(path, json=body(number), headers={"X-CSRFToken": token})
        assert answer.status_code == status, (path, answer.status_code, answer.get_data(as_text=True)[:300])
    return call


def _finding(day):
    """A new finding's body, taken on the inspection's `day` (never later than now), as bench/load.py's."""
    vietnam = timezone(timedelta(hours=7))
    now = datetime.now(vietnam)
    on_site = now if now.date() == day else datetime.combine(day, clock(9), vietnam)
    return {"description": "Tồn tại ghi nhận tại hiện trường", "severity": "minor",
            "client_uuid": str(uuid.uuid4()), "device_time": (on_site - timedelta(seconds=30)).isoformat()}


def pages(app) -> dict:
    """The measured pages, each a call taking the request's number."""
    from models import Inspection, db

    from .province import DETAIL_NUMBER, FIELD_NUMBER

    with app.app_context():
        detail = db.session.execute(db.select(Inspection.id).where(Inspection.number == DETAIL_NUMBER)).scalar_one()
        field = db.session.execute(db.select(Inspection).where(Inspection.number == FIELD_NUMBER)).scalar_one()
        field_id, day = field.id, field.start_on
    head, leader, lead = _client(app, "head1"), _client(app, "leader"), _client(app, "inspector0")
    batch = {"items": [{"kind": "finding", "inspection_id": field_id, "body": _finding(day)} for _ in range(20)]}
    return {"task_list": _get(head, "/tasks"), "dashboard": _get(leader, "/dashboard"),
            "inspection_detail": _get(lead, f"/inspections/{detail}"),
            "finding_post": _post(lead, f"/api/v1/inspections/{field_id}/findings", lambda n: _finding(day), 201),
            "sync_batch": _post(lead, "/api/v1/sync", lambda n: _renewed(batch), 200)}


def _renewed(batch: dict) -> dict:
    for item in batch["items"]:
        item["body"]["client_uuid"] = str(uuid.uuid4())
    return batch


def _run(env: dict, redis_pid: int) -> dict:
    import flask_migrate
    import psycopg

    from app import create_app
    from inspection.dashboard import summary
    from models import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    with app.app_context():
        flask_migrate.upgrade()
        summary.refresh_summary()  # bench web ends with none (its live figure)
        db.session.remove()
    calls = pages(app)
    if CALLGRIND:
        _callgrind("-i", "on")
    # requests run outside any app context, each in its own, as in production
    with psycopg.connect(env["DATABASE_URL"].replace("+psycopg", ""), autocommit=True) as monitor:
        return {"load_average": os.getloadavg()[0],
                **{name: measure(name, call, monitor, redis_pid) for name, call in calls.items()}}


def main() -> None:
    from sqlalchemy.engine import make_url

    from bench import BASE

    url = make_url(BASE.replace("postgresql://", "postgresql+psycopg://", 1)).set(database=DATABASE)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-cpu-") as tmp:
        env, redis_proc = server_environment(Path(tmp), url.render_as_string(hide_password=False))
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CCHC_INSTANCE_DIR", "CCHC_STORAGE_DIR",
                                               "CCHC_PROFILE", "TZ")}, CCHC_PAGE_SIZE=str(PAGE_ROWS))
        try:
            print(json.dumps(_run(env, redis_proc.pid), indent=2))
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=30)


if __name__ == "__main__":
    main()
