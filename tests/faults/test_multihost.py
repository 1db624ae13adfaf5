"""Two web hosts and two worker hosts (network namespaces, tests/faults/hosts.py) behind HAProxy,
sharing PostgreSQL, Redis and the S3 store. A worker host dies in the middle of a PDF: the report
is rendered by the other one, and downloads from either web host (in scope only). A web host dies
while a load generator runs through HAProxy: fewer than 1 % of the answers are errors, and every
later request is served by the other host."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import psutil
import pytest

from inspection.demo.seed import DEMO_PASSWORD

from .conftest import ROOT, until
from .hosts import WEB_PORT, cluster
from .test_postgres import Site
from .test_replica import Browser, _sql

pytestmark = pytest.mark.faults
LOAD_REQUESTS, LOAD_CONCURRENCY = 1000, 6


@pytest.fixture
def hosts(tmp_path):
    with cluster(tmp_path) as found:
        yield found


def _signed_in(base: str, username: str) -> Browser:
    site = Browser(base)
    status, page, _ = site.post("/login", "/login", username=username, password=DEMO_PASSWORD)
    assert status == 200 and "Đăng xuất" in page, page[-2000:]
    return site


def _cookie(site: Site) -> str:
    """The browser's cookies as a Cookie header (for bench/load.py)."""
    jar = next(h.cookiejar for h in site.opener.handlers if hasattr(h, "cookiejar"))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _host_processes(proc) -> list[psutil.Process]:
    """A process started on a host and every process it forked (RQ's work-horse, its scheduler)."""
    root = psutil.Process(proc.pid)
    return [root, *root.children(recursive=True)]


def _hold(proc) -> list[psutil.Process]:
    """Stop a host's worker (SIGSTOP to it and what it forked): it takes no job meanwhile."""
    held = _host_processes(proc)
    for each in held:
        each.send_signal(signal.SIGSTOP)
    return held


def _kill_worker_host(hosts, db_url: str, report_id: int, held: list[psutil.Process]) -> str:
    """Once the row says "rendering" (worker1's: worker2 is held), worker1's host dies: every
    process of it SIGKILLed (worker and work-horse), its cable pulled; worker2 goes on. Returns
    the attempt's job id."""
    status = lambda: _sql(db_url, "SELECT status FROM report WHERE id = :id", id=report_id)  # noqa: E731
    until(lambda: status() == "rendering", 120, "worker1 to start rendering", step=0.02)
    for proc in _host_processes(hosts.started["worker1"]):
        proc.send_signal(signal.SIGKILL)
    hosts.network.unplug(hosts.hosts["worker1"])
    assert status() == "rendering"  # killed in the middle of it
    job = _sql(db_url, "SELECT rq_job_id FROM report WHERE id = :id", id=report_id)
    for proc in held:
        proc.send_signal(signal.SIGCONT)
    return job


def test_a_worker_host_and_a_web_host_die_and_users_are_still_served(hosts, tmp_path):
    db_url = hosts.postgres.url
    leader = _signed_in(hosts.haproxy.url, "leader")
    plan = _sql(db_url, "SELECT id FROM plan WHERE year = 2024")
    held = _hold(hosts.started["worker2"])  # the report is worker1's to render
    status, page, url = leader.post(f"/reports/plans/{plan}/request", f"/reports/plans/{plan}",
                                    kind="progress_report")
    assert status == 200, page[-2000:]
    report = int(url.rstrip("/").rsplit("/", 1)[-1])
    first_job = _kill_worker_host(hosts, db_url, report, held)
    until(lambda: leader.report_status(report) == "ready", 90, "worker2 to render the report")
    assert _sql(db_url, "SELECT rq_job_id FROM report WHERE id = :id", id=report) != first_job  # a fresh attempt
    _downloads_from_both_web_hosts(hosts, leader, report)
    _web_host_dies_under_load(hosts, _cookie(leader), tmp_path)


def _get(url: str, cookie: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _downloads_from_both_web_hosts(hosts, leader: Browser, report: int) -> None:
    """The PDF a worker host stored is in the bucket and downloads the same from each web host
    (the session, in Redis, is valid on both); a commune officer gets 404 on both."""
    key = _sql(hosts.postgres.url, "SELECT a.storage_key FROM report r JOIN attachment a ON a.id = r.attachment_id "
               "WHERE r.id = :id", id=report)
    stored = hosts.bucket.read(key)
    assert stored[:5] == b"%PDF-"
    officer = _signed_in(hosts.haproxy.url, "officer")
    for name in ("web1", "web2"):  # straight to the host, with the session cookie HAProxy's address got
        direct = f"http://{hosts.hosts[name].address}:{WEB_PORT}/reports/{report}/download"
        assert _get(direct, _cookie(leader)) == (200, stored), name
        assert _get(direct, _cookie(officer))[0] == 404, name
    for name in hosts.hosts:  # every file is in the bucket: no host wrote to its own disk
        assert not list((hosts.instance(name) / "files").rglob("*.*")), name


def _web_host_dies_under_load(hosts, cookie: str, tmp_path) -> None:
    """bench/load.py through HAProxy; web1 dies (gunicorn SIGKILLed, then its cable pulled) a few
    seconds in: < 1 % errors over the run, and the requests after it all went to web2."""
    load = subprocess.Popen([sys.executable, "-m", "bench.load", hosts.haproxy.url, "/tasks",
                             str(LOAD_CONCURRENCY), str(LOAD_REQUESTS), cookie],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    before = int(hosts.haproxy.servers()["web1"]["stot"])
    until(lambda: int(hosts.haproxy.servers()["web1"]["stot"]) >= before + 50, 60, "web1 to serve its share")
    gone = _host_processes(hosts.started["web1"])
    for proc in gone:
        proc.send_signal(signal.SIGKILL)
    psutil.wait_procs(gone, timeout=10)  # their connections closed (a dead host's kernel would not even do that)
    hosts.network.unplug(hosts.hosts["web1"])
    assert load.poll() is None, "the load ended before web1 died"
    out, _ = load.communicate(timeout=180)
    result = json.loads(out)
    servers = hosts.haproxy.servers()
    print(f"load through HAProxy, web1 killed: {result}; web1 served {servers['web1']['stot']}, "
          f"web2 {servers['web2']['stot']}; load average {os.getloadavg()[0]:.1f}")
    assert result["errors"] < 0.01 * LOAD_REQUESTS, result
    assert servers["web1"]["status"].startswith("DOWN") and servers["web2"]["status"] == "UP"
    assert int(servers["web2"]["stot"]) > 0.3 * LOAD_REQUESTS
