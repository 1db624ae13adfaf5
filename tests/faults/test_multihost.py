"""Two web hosts and two worker hosts (network namespaces, tests/faults/hosts.py) behind HAProxy,
sharing PostgreSQL, Redis and the S3 store. The worker host that took a PDF dies in the middle of
it: the report is rendered by the other one, and downloads from either web host (in scope only). A web host dies
while a load generator runs through HAProxy: fewer than 1 % of the answers are errors, and every
later request is served by the other host."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import psutil
import pytest
from rq import Worker

from inspection.demo.seed import DEMO_PASSWORD

from .conftest import ROOT, until
from .hosts import WEB_PORT, cluster
from .test_postgres import Site
from .test_replica import Browser, _sql

pytestmark = pytest.mark.faults
LOAD_REQUESTS, LOAD_CONCURRENCY = 2000, 6


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


def _rendering_host(hosts, job_id: str) -> str | None:
    """The worker host whose worker.py has the job `job_id` in hand (RQ's worker registry)."""
    pids = {proc.pid: name for name, proc in hosts.started.items() if name.startswith("worker")}
    for worker in Worker.all(connection=hosts.redis.client()):
        if worker.get_current_job_id() == job_id and worker.pid in pids:
            return pids[worker.pid]
    return None


def _kill_worker_host(hosts, db_url: str, report_id: int) -> tuple[str, str]:
    """Once the row says "rendering", the worker host rendering it dies: every process of it
    SIGKILLed (worker and work-horse), its cable pulled. Returns the host's name and the job id."""
    row = lambda: _sql(db_url, "SELECT status || ' ' || rq_job_id FROM report WHERE id = :id", id=report_id)  # noqa: E731
    job = until(lambda: row().startswith("rendering ") and row().split()[1], 120, "a worker to start rendering",
                step=0.02)
    name = until(lambda: _rendering_host(hosts, job), 10, "the rendering worker in RQ's registry", step=0.02)
    for proc in _host_processes(hosts.started[name]):
        proc.send_signal(signal.SIGKILL)
    hosts.network.unplug(hosts.hosts[name])
    assert row() == f"rendering {job}"  # killed in the middle of it
    return name, job


def test_a_worker_host_and_a_web_host_die_and_users_are_still_served(hosts, tmp_path):
    db_url = hosts.postgres.url
    leader = _signed_in(hosts.haproxy.url, "leader")
    plan = _sql(db_url, "SELECT id FROM plan WHERE year = 2024")
    status, page, url = leader.post(f"/reports/plans/{plan}/request", f"/reports/plans/{plan}",
                                    kind="progress_report")
    assert status == 200 and re.search(r"/reports/\d+$", url), page[-2000:]
    report = int(url.rsplit("/", 1)[-1])
    dead, first_job = _kill_worker_host(hosts, db_url, report)
    until(lambda: leader.report_status(report) == "ready", 90, "the other worker host to render the report")
    assert _sql(db_url, "SELECT rq_job_id FROM report WHERE id = :id", id=report) != first_job  # a fresh attempt
    print(f"{dead} died while rendering; the report was rendered by the other worker host")
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
    assert load.poll() is None, "the load ended before web1 died"
    psutil.wait_procs(gone, timeout=10)  # their connections closed (a dead host's kernel would not even do that)
    hosts.network.unplug(hosts.hosts["web1"])
    out, _ = load.communicate(timeout=180)
    result = json.loads(out)
    servers = hosts.haproxy.servers()
    print(f"load through HAProxy, web1 killed: {result}; web1 served {servers['web1']['stot']}, "
          f"web2 {servers['web2']['stot']}; load average {os.getloadavg()[0]:.1f}")
    assert result["errors"] < 0.01 * LOAD_REQUESTS, result
    assert servers["web1"]["status"].startswith("DOWN") and servers["web2"]["status"] == "UP"
    assert int(servers["web2"]["stot"]) > 0.3 * LOAD_REQUESTS
