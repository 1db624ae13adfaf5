"""`make bench`: list pages, search and audit appends on PostgreSQL with a province-size tree.

Builds a scratch database `cchc_bench` on the server at TEST_DATABASE_URL (default: local),
fills it, times each operation over repeated runs and prints medians and ratios."""

import os
import platform
import statistics
import time

import flask_migrate
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bench import scratch_database
from inspection.data.transaction import unit_of_work
from inspection.language.text import fold
from inspection.security import audit
from models import Membership, OrgUnit, User, db
from models.enums import Role

BASE = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UNITS = int(os.environ.get("BENCH_UNITS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def _database() -> str:
    return scratch_database("cchc_bench")


def _fill() -> None:
    from inspection.auth.passwords import hash_password

    root = OrgUnit(code="ROOT", name="Tỉnh Đồng Tháp", name_folded=fold("Tỉnh Đồng Tháp"), kind="province")
    db.session.add(root)
    db.session.flush()
    rows = [{"code": f"X{n:06d}", "name": f"Ủy ban nhân dân xã Số {n}", "name_folded": fold(f"xa so {n}"),
             "kind": "commune", "parent_id": root.id, "version": 1, "short_name": "", "place_name": "",
             "address": "", "requires_head_confirmation": True, "is_active": True} for n in range(UNITS)]
    db.session.execute(insert(OrgUnit), rows)
    admin = User(username="admin", full_name="Quản trị", full_name_folded="quan tri",
                 password_hash=hash_password("bench-password"))
    admin.memberships = [Membership(role=Role.ADMIN, unit_id=root.id)]
    leader = User(username="leader", full_name="Lãnh đạo", full_name_folded="lanh dao",
                  password_hash=admin.password_hash)
    leader.memberships = [Membership(role=Role.LEADER, unit_id=root.id)]
    db.session.add_all([admin, leader])
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def _time(fn, runs=RUNS) -> float:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _signed_in_client(app, username="admin"):
    import re

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": username, "password": "bench-password", "csrf_token": token})
    return client


def _deep_cursor(client) -> str:
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps(["xa so 9", UNITS]).encode()).decode()
    return f"/admin/units?after={cursor}"


def main() -> None:
    os.environ.setdefault("CCHC_INSTANCE_DIR", "/tmp/cchc-bench")
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": _database(),
                      "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
                      "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        flask_migrate.upgrade()
        _fill()
    # requests run outside any held app context, each in its own (as in production)
    client, leader = _signed_in_client(app), _signed_in_client(app, "leader")
    results = {
        "units list, first page (25 rows)": _time(lambda: client.get("/admin/units")),
        "same page as a leader (scoped by the recursive CTE)": _time(lambda: leader.get("/admin/units")),
        f"units list, page deep in {UNITS} rows (keyset)": _time(lambda: client.get(_deep_cursor(client))),
        "units search 'xa so 1234' (folded column)": _time(lambda: client.get("/admin/units?q=xa+so+1234")),
        "audit append (one event, one commit)": _time(lambda: _append_audit(app)),
    }
    _report(results)


def _append_audit(app):
    with app.app_context(), unit_of_work():
        audit.record(None, "bench.event", "bench", 1, after={"k": "v"})


def _report(results: dict) -> None:
    first = next(iter(results.values()))
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"PostgreSQL at {make_url(BASE).host}; {UNITS} units; median of {RUNS} runs\n")
    print("| operation | median ms | ratio to first page |\n| --- | ---: | ---: |")
    for name, ms in results.items():
        print(f"| {name} | {ms:.1f} | {ms / first:.2f} |")


if __name__ == "__main__":
    import sys

    # `python -m bench` runs every benchmark; `python -m bench lists`, `… reports`, `… web`, `… par`, `… offline`
    # or `… storage` (the object store against disk) or `… scale` (one and two web hosts behind HAProxy; root) one;
    # `… signing` the agency signature's part of `reports` alone; `… national` (not in the default set, up to an
    # hour) the web figures on ten provinces' data beside one province's (bench/national.py); `… cpu` (not in the
    # default set) the CPU a page costs on `web`'s database (bench/cpu.py)
    wanted = set(sys.argv[1:]) or {"lists", "reports", "web", "par", "offline", "storage", "scale"}
    if "lists" in wanted:
        main()
    if "reports" in wanted:
        from bench.reports import main as reports_main

        reports_main()
    if "signing" in wanted:
        from bench.signing import main as signing_main

        signing_main()
    if "web" in wanted:
        from bench.web import main as web_main

        web_main()
    if "par" in wanted:
        from bench.par import main as par_main

        par_main()
    if "offline" in wanted:
        from bench.offline import main as offline_main

        offline_main()
    if "storage" in wanted:
        from bench.storage import main as storage_main

        storage_main()
    if "cpu" in wanted:
        from bench.cpu import main as cpu_main

        cpu_main()
    if "scale" in wanted:
        from bench.scale import main as scale_main

        scale_main()
    if "national" in wanted:
        from bench.national import main as national_main

        national_main()
