"""`python -m bench national` (not in `make bench`; up to an hour): bench web's figures on a
nation's data beside a province's, in one run, and the ratio national ÷ province of every p95.

The province is bench/province.py's data set (database cchc_bench_province). The nation
(cchc_bench_national) is that database copied (CREATE DATABASE … TEMPLATE) and then grown in SQL,
never through the ORM: its units, users, plans, tasks, inspections, findings, remediation actions
and audit events are copied MULTIPLE − 1 times more (BENCH_NATIONAL_MULTIPLE, 10: 1,000,000
tasks, 100,000 inspections, 1,000,000 findings and remediation actions, 5,000,000 audit events;
1,620 units on today's two-level map, each province with its People's Committee, 30 departments
and 130 communes, 1,300 communes in all), every id and every reference to a copied table shifted
by the table's largest id. The users measured (the first province's leader, heads and
inspectors) therefore see the same units and rows in both databases: what changes is the size
of every table around them, which keyset pages, scoped counts and summaries should not feel.

Each database is measured by bench/web.py's own functions in a process of its own (its own
Redis, so no cache or remembered row crosses over), and bench/results/national.json holds both
sets of figures and the ratios (bar: ≤ 1.5 each). BENCH_NATIONAL_MULTIPLE=2 gives a quick run
while changing this file; BENCH_NATIONAL_ROUNDS=2 measures both twice, alternated, and keeps each
figure's lower value (for a machine other work shares)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import BASE, scratch_database

from . import web

MULTIPLE = int(os.environ.get("BENCH_NATIONAL_MULTIPLE", "10"))
# province, nation, province, nation …: on a busy machine, each figure's best round is kept
ROUNDS = int(os.environ.get("BENCH_NATIONAL_ROUNDS", "1"))
PROVINCE, NATION = "cchc_bench_province", "cchc_bench_national"
BAR = 1.5
GIB_PER_PROVINCE = 0.6  # the province's database is ~0.3 GB; twice that for WAL and index builds
# the tables copied, parents first; the showcase inspections (bench/province.py) stay the first
# province's own, so bench/web.py finds them by number as it does in the province
COPIED = ("org_unit", "user_account", "membership", "plan", "task", "task_support_unit", "inspection", "finding",
          "remediation_action", "audit_event")
SHOWCASE = "SELECT id FROM inspection WHERE number LIKE 'BENCH-%'"
ONLY_ROWS = {"inspection": "number NOT LIKE 'BENCH-%'", "finding": f"inspection_id NOT IN ({SHOWCASE})"}
# unique columns that are not ids: made unique per copy (k = the copy's number, 2 … MULTIPLE)
UNIQUE = {"code": "code || '-' || k", "username": "username || '.' || k",
          "client_uuid": "md5(client_uuid || k)::uuid::text"}


def _url(database: str) -> str:
    url = make_url(BASE.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=database).render_as_string(hide_password=False)


def check_disk() -> None:
    """Refuse to start without room for both databases (PostgreSQL's data on this disk, as here)."""
    need = GIB_PER_PROVINCE * (MULTIPLE + 1)
    free = shutil.disk_usage("/").free / 2**30
    print(f"disk: {free:.0f} GiB free, {need:.0f} GiB wanted", flush=True)
    if free < need:
        raise SystemExit(f"bench national: {need:.0f} GiB of free disk wanted, {free:.0f} GiB free")


def build_province(work: Path) -> dict:
    """bench/province.py's data set in its own database (the showcase's photos under work/files)."""
    import flask_migrate

    from app import create_app
    from models import db

    from .province import fill

    env, redis_proc = web.server_environment(work, scratch_database(PROVINCE))
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CCHC_INSTANCE_DIR", "CCHC_STORAGE_DIR",
                                           "CCHC_PROFILE")})
    try:
        app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}})
        with app.app_context():
            flask_migrate.upgrade()
            counts = fill()
            db.session.remove()
            db.engine.dispose()  # the copy needs the database without connections
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    return counts


def _columns(conn, table: str) -> list[str]:
    return list(conn.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t "
        "AND is_generated = 'NEVER' ORDER BY ordinal_position"), {"t": table}).scalars())


def _references(conn, table: str) -> dict[str, str]:
    """column → the copied table it refers to (single-column foreign keys)."""
    rows = conn.execute(text(
        "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = CAST(:t AS regclass) AND cardinality(c.conkey) = 1"), {"t": table})
    return {column: target for column, target in rows if target in COPIED}


def _copy_statement(conn, table: str, strides: dict[str, int]) -> str:
    """INSERT … SELECT of `table`'s rows once per copy k, ids and references shifted."""
    shifted = _references(conn, table) | ({"id": table} if "id" in _columns(conn, table) else {})
    if table == "audit_event":
        shifted["seq"] = table  # the chain's position: unique like the id
    values = []
    for column in _columns(conn, table):
        if column in shifted:
            values.append(f'"{column}" + (k - 1) * {strides[shifted[column]]}')
        else:
            values.append(UNIQUE.get(column, f'"{column}"'))
    names = ", ".join(f'"{c}"' for c in _columns(conn, table))
    where = f"WHERE {ONLY_ROWS[table]}" if table in ONLY_ROWS else ""
    return (f'INSERT INTO "{table}" ({names}) SELECT {", ".join(values)} '
            f'FROM "{table}", generate_series(2, {MULTIPLE}) AS k {where}')


def grow(url: str) -> dict[str, float]:
    """Copy the province MULTIPLE − 1 times inside `url`'s database; seconds per table."""
    engine = create_engine(url)
    seconds = {}
    with engine.begin() as conn:
        # a fresh copy of consistent rows: no foreign-key checks or catalog triggers row by row
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        strides = {t: conn.execute(text(f'SELECT coalesce(max("{"seq" if t == "audit_event" else "id"}"), 0) '
                                         f'FROM "{t}"')).scalar_one() for t in COPIED if t != "task_support_unit"}
        for table in COPIED:
            started = time.perf_counter()
            conn.execute(text(_copy_statement(conn, table, strides)))
            seconds[table] = round(time.perf_counter() - started, 1)
            print(f"  {table}: {seconds[table]} s", flush=True)
        for table in strides:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM \"{table}\""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))  # as bench/province.py leaves the province (_settle)
        conn.execute(text("CHECKPOINT"))
    engine.dispose()
    return seconds


def build_nation() -> dict:
    """The province's database copied, then grown MULTIPLE times; counts of what it holds."""
    admin = create_engine(_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{NATION}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{NATION}" TEMPLATE "{PROVINCE}"'))
    admin.dispose()
    seconds = grow(_url(NATION))
    return {"seconds_per_table": seconds} | counts(_url(NATION))


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in COPIED}
        found["communes"] = conn.execute(text("SELECT count(*) FROM org_unit WHERE kind = 'commune'")).scalar_one()
    engine.dispose()
    return found


def measure(database: str, files: Path) -> dict:
    """bench/web.py's figures on `database`, in a process of its own (python -m bench.national --measure)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "bench.national", "--measure", database, str(files), out.name],
                       cwd=web.ROOT, check=True)
        return json.loads(Path(out.name).read_text())


def _measure_here(database: str, files: str, out: str) -> None:
    from app import create_app

    with tempfile.TemporaryDirectory(prefix="cchc-bench-national-") as tmp:
        env, redis_proc = web.environment(Path(tmp), _url(database))
        env["CCHC_STORAGE_DIR"] = os.environ["CCHC_STORAGE_DIR"] = files  # the showcase's photos
        try:
            started_on = web.machine()
            figures = web.measure_served(create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}}), env)
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
    Path(out).write_text(json.dumps({"machine": started_on, "figures": figures}))


def best_of(runs: list[dict]) -> dict:
    """Each figure's lowest value over the rounds (the round least disturbed by the machine's other
    work), with the machine's description of each round."""
    figures = {name: min((run["figures"][name] for run in runs if name in run["figures"]), key=lambda f: f["value"])
               for name in runs[0]["figures"]}
    return {"machine": [run["machine"] for run in runs], "figures": figures}


def ratios(province: dict, nation: dict) -> dict:
    """national ÷ province for every p95 (in ms) both runs measured."""
    found = {}
    for name, figure in province.items():
        if "p95" in name and figure["unit"] == "ms" and name in nation and figure["value"]:
            ratio = nation[name]["value"] / figure["value"]
            found[name] = {"value": round(ratio, 2), "unit": "ratio", "bar": BAR, "passes": ratio <= BAR}
    return found


def main() -> None:
    check_disk()
    web.RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-national-") as work:
        files = Path(work) / "files"
        started = time.perf_counter()
        data = {"province": build_province(Path(work))}
        print(f"province: {data['province']} in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        data["national"] = build_nation()
        data["national"]["seconds"] = round(time.perf_counter() - started)
        print(f"nation (×{MULTIPLE}): {data['national']}", flush=True)
        runs = [(measure(PROVINCE, files), measure(NATION, files)) for _ in range(ROUNDS)]
    province, nation = best_of([p for p, _ in runs]), best_of([n for _, n in runs])
    result = {"multiple": MULTIPLE, "rounds": ROUNDS, "data": data, "province": province, "national": nation,
              "ratios": ratios(province["figures"], nation["figures"])}
    (web.RESULTS / "national.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    for name, ratio in result["ratios"].items():
        print(f"{name}: {province['figures'][name]['value']} → {nation['figures'][name]['value']} ms, "
              f"ratio {ratio['value']}{'' if ratio['passes'] else ' (over the bar)'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        _measure_here(*sys.argv[2:5])
    else:
        main()
