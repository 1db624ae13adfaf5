"""The dashboard, the Chỉ số CCHC results and large exports on a PostgreSQL streaming replica
(DATABASE_REPLICA_URL): a private primary, a replica made from it with pg_basebackup -R, gunicorn
and worker.py on both. With the replica's replay paused, the leader sees the replica's figures (a
unit's old name on the dashboard and in the published ranking) and how old they are; the
administrator who renamed the units sees the new names at once (read-after-write); an export
asked for before the rename is rendered from the replica (old name), one asked for after it from
the primary (new name); beyond the lag limit, and with the replica stopped, the dashboard and the
ranking read the primary, with no error page, and /healthz says so."""

import io
import json
import os
import signal
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from inspection.demo.seed import DEMO_PASSWORD
from tests.hostile.forms import forms_on

from .conftest import PostgresServer, Processes, app_env, free_port, until
from .test_postgres import Site

pytestmark = pytest.mark.faults
MAX_LAG = 30  # CCHC_REPLICA_MAX_LAG: beyond it the dashboard reads the primary
NEW_NAME = "Ủy ban nhân dân tỉnh Đồng Tháp (tên mới)"
SUFFIX = " (tên mới)"


class ReplicaServer(PostgresServer):
    """A hot standby of `primary`: pg_basebackup -R (streaming, its primary_conninfo written)."""

    def __init__(self, primary: PostgresServer):
        super().__init__()
        self.primary = primary

    def init(self) -> None:
        self._as_postgres(str(self.bin / "pg_basebackup"), "-D", str(self.data), "-h", "127.0.0.1",
                          "-p", str(self.primary.port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
                          "--no-sync")


def _sql(url: str, statement: str, **params):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.execute(text(statement), params)
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def _caught_up(primary: str, replica: str) -> bool:
    """Whether the replica has replayed everything the primary has written so far (an
    asynchronous commit's record too, which is written out within wal_writer_delay)."""
    wrote = _sql(primary, "SELECT pg_current_wal_insert_lsn()::text")
    return _sql(replica, "SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)", lsn=wrote)


def _pause_replay(primary: str, replica: str) -> None:
    """Pause the replica's replay just after it replayed a fresh commit: its lag counts from there."""
    _sql(primary, "SELECT txid_current()")  # a transaction of its own: a commit record to replay
    until(lambda: _caught_up(primary, replica), 30, "the replica to catch up")
    _sql(replica, "SELECT pg_wal_replay_pause()")


@pytest.fixture
def stack(private_postgres, private_redis, tmp_path):
    """The demo province on the primary, its replica streaming, gunicorn reading both."""
    replica = ReplicaServer(private_postgres)
    procs = Processes(app_env(private_postgres.url, private_redis.url, tmp_path, str(tmp_path / "files")) | {
        "DATABASE_REPLICA_URL": "postgresql://" + replica.url.split("://", 1)[1],
        "CCHC_REPLICA_MAX_LAG": str(MAX_LAG), "CCHC_REPLICA_SHOW_LAG": "1", "CCHC_REPLICA_RETRY": "2",
        "CCHC_EXPORT_SYNC_MAX_ROWS": "0"})  # every export is the worker's
    try:
        procs.flask("db", "upgrade")
        procs.flask("seed-demo")
        replica.init()
        replica.start()
        port = free_port()
        procs.web(port, tmp_path / "web.log")
        worker = procs.worker(tmp_path / "worker.log")
        site = f"http://127.0.0.1:{port}"
        until(Site(site).answers, 60, "gunicorn to answer")
        until(lambda: private_redis.client().scard("rq:workers"), 60, "the worker to start")
        yield site, replica, tmp_path / "web.log", worker
    finally:
        procs.stop_all()
        replica.remove()


class Browser(Site):
    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read()


def _signed_in(base: str, username: str) -> Browser:
    site = Browser(base)
    status, page, _ = site.post("/login", "/login", username=username, password=DEMO_PASSWORD)
    assert status == 200 and "Đăng xuất" in page, page[-2000:]
    return site


def _rename(admin: Site, unit_id: int, name: str) -> None:
    """The administrator saves the unit's edit form with a new name (a write through the app)."""
    status, page, _ = admin.get(f"/admin/units/{unit_id}/edit")
    assert status == 200, page[-2000:]
    form = next(f for f in forms_on(page, f"/admin/units/{unit_id}/edit") if "code" in f.fields)
    values = {f.name: f.value for f in form.fields.values() if f.kind != "submit" and f.name != "csrf_token"}
    status, page, _ = admin.submit(form.action, page, **(values | {"name": name}))
    assert status == 200 and "Đã lưu đơn vị." in page, page[-2000:]


def _ask_export(site: Site) -> None:
    """Ask for the inspection list as .xlsx (the worker renders it; the user is notified)."""
    status, page, _ = site.post("/inspections/export.xlsx", "/inspections/export.xlsx")
    assert status == 200, page[-2000:]


def _exports(site: Browser, primary: str, count: int) -> list[set]:
    """The cells of the first `count` exports the worker stored, downloaded as `site`'s user."""
    until(lambda: _sql(primary, "SELECT count(*) FROM attachment WHERE kind = 'export'") >= count, 120,
          "the worker's exports")
    found = []
    for number in range(count):
        token = _sql(primary, "SELECT sha256 FROM attachment WHERE kind = 'export' ORDER BY id OFFSET :n LIMIT 1",
                     n=number)
        book = load_workbook(io.BytesIO(site.get_bytes(f"/exports/{token}")), read_only=True)
        found.append({cell for row in book.active.iter_rows(values_only=True) for cell in row if cell})
    return found


def _dashboard(site: Site, path: str = "/dashboard") -> str:
    status, page, _ = site.get(path)
    assert status == 200, page[-2000:]
    return page


def _ranked_unit(primary: str, other_than: int) -> tuple[str, int, str]:
    """The published Chỉ số CCHC round's page, and a unit in its ranking (not `other_than`) with its name."""
    round_id = _sql(primary, "SELECT id FROM par_round WHERE status = 'published' ORDER BY id LIMIT 1")
    unit = _sql(primary, "SELECT unit_id FROM par_assessment WHERE round_id = :r AND unit_id <> :u "
                "ORDER BY unit_id LIMIT 1", r=round_id, u=other_than)
    return f"/chi-so-cchc/dot/{round_id}", unit, _sql(primary, "SELECT name FROM org_unit WHERE id = :id", id=unit)


def test_dashboard_and_exports_read_the_replica_and_fall_back_to_the_primary(private_postgres, stack):
    base, replica, web_log, worker = stack
    primary_url = private_postgres.url
    province = _sql(primary_url, "SELECT id FROM org_unit WHERE name = 'Ủy ban nhân dân tỉnh Đồng Tháp'")
    inspected = _sql(primary_url, "SELECT unit_id FROM inspection ORDER BY id LIMIT 1")  # in the inspection list
    inspected_name = _sql(primary_url, "SELECT name FROM org_unit WHERE id = :id", id=inspected)
    results, ranked, ranked_name = _ranked_unit(primary_url, inspected)
    leader, admin = _signed_in(base, "leader"), _signed_in(base, "admin")
    until(lambda: _caught_up(primary_url, replica.url), 30, "the replica to catch up")
    assert "Ủy ban nhân dân tỉnh Đồng Tháp" in _dashboard(leader)
    assert ranked_name in _dashboard(leader, results) and "Kết quả và xếp hạng" in _dashboard(leader, results)
    assert _sql(replica.url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cchc-replica-reads'")

    os.killpg(worker.pid, signal.SIGSTOP)  # the worker takes the first export only after the rename
    _ask_export(admin)
    _pause_replay(primary_url, replica.url)
    time.sleep(1.5)  # the replica's figures are now over a second old (shown from 1 s here)
    _rename(admin, province, NEW_NAME)
    _rename(admin, inspected, inspected_name + SUFFIX)
    _rename(admin, ranked, ranked_name + SUFFIX)
    assert NEW_NAME in _dashboard(admin)  # the one who wrote reads the primary: their own change
    assert ranked_name + SUFFIX in _dashboard(admin, results)
    page = _dashboard(leader)  # the replica, paused before the rename: the old name and its age
    assert NEW_NAME not in page and "Ủy ban nhân dân tỉnh Đồng Tháp" in page, page[-3000:]
    assert "Số liệu cập nhật cách đây" in page and 'id="replica-lag"' in page
    page = _dashboard(leader, results)  # the round's results and ranking: the replica's too
    assert ranked_name in page and ranked_name + SUFFIX not in page, page[-3000:]
    assert 'id="replica-lag"' in page
    sheet = _sql(primary_url, "SELECT a.id FROM par_assessment a JOIN par_round r ON r.id = a.round_id "
                 "WHERE r.status = 'published' AND a.unit_id = :u", u=ranked)
    page = _dashboard(leader, f"/chi-so-cchc/tu-danh-gia/{sheet}")  # its sheet from the primary, ranking not
    assert 'id="ranking-h"' in page and 'id="replica-lag"' in page
    health = json.loads(Site(base).get("/healthz")[1])
    assert health["status"] == "ok" and health["replica"] == "ok" and health["replica_lag_s"] >= 1
    _ask_export(admin)  # asked after the rename: the replica has not replayed it, the primary has
    os.killpg(worker.pid, signal.SIGCONT)
    before, after = _exports(admin, primary_url, 2)
    assert inspected_name in before and inspected_name + SUFFIX not in before  # from the replica
    assert inspected_name + SUFFIX in after  # from the primary: what the user saw when asking

    until(lambda: json.loads(Site(base).get("/healthz")[1])["replica"] == "lagging", MAX_LAG + 30,
          "the replica's lag to pass the limit")
    page = _dashboard(leader)  # too far behind: the primary, without the lag note
    assert NEW_NAME in page and 'id="replica-lag"' not in page
    page = _dashboard(leader, results)
    assert ranked_name + SUFFIX in page and 'id="replica-lag"' not in page
    assert "reading the primary" in web_log.read_text()

    _sql(replica.url, "SELECT pg_wal_replay_resume()")
    until(lambda: _caught_up(primary_url, replica.url), 30, "the replica to catch up again")
    assert NEW_NAME in _dashboard(leader)

    replica.stop("immediate")  # the replica goes away: no error page, the primary's figures
    page = _dashboard(leader)
    assert NEW_NAME in page and 'id="replica-lag"' not in page
    assert ranked_name + SUFFIX in _dashboard(leader, results)
    status, body, _ = Site(base).get("/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["replica"] == "unreachable", body
    assert "replica unreachable" in web_log.read_text()
