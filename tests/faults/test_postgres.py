"""A PostgreSQL restart while the web (gunicorn), the worker and the scheduler run, on a private
cluster and a private Redis: during the outage the user gets a clear "try again" page (nothing is
acknowledged that is not recorded); once it is back, requests succeed without restarting
anything, a rendering caught by the outage ends ready and the worker renders new requests."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from inspection.demo.seed import DEMO_PASSWORD

from .conftest import Processes, app_env, free_port, until

pytestmark = pytest.mark.faults
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Site:
    """A browser without JavaScript: cookies, CSRF tokens from the forms, redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form_page: str, **fields: str) -> tuple[int, str, str]:
        status, page, _ = self.get(form_page)
        assert status == 200, page
        return self.submit(path, page, **fields)

    def submit(self, path: str, page: str, **fields: str) -> tuple[int, str, str]:
        """Post the form of `page` (a page opened earlier) to `path`."""
        data = urllib.parse.urlencode({"csrf_token": CSRF.search(page).group(1), **fields}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data))

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace"), response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.geturl()

    def answers(self) -> bool:
        try:
            return self.get("/login")[0] == 200
        except OSError:
            return False

    def report_status(self, report_id: int) -> str:
        status, body, _ = self.get(f"/reports/{report_id}/status")
        return re.search(r'"status":\s*"(\w+)"', body).group(1) if status == 200 else f"HTTP {status}"


def _ask_pdf(site: Site, documents: str, kind: str) -> int:
    status, page, url = site.post(documents + "/request", documents, kind=kind)
    assert status == 200 and "/reports/" in url, page
    return int(url.rstrip("/").rsplit("/", 1)[1])


def _subjects(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        plan = conn.execute(text("SELECT id FROM plan WHERE year = 2024")).scalar_one()
        inspection = conn.execute(text("SELECT min(id) FROM inspection WHERE status = 'concluded'")).scalar_one()
    engine.dispose()
    return plan, inspection


@pytest.fixture
def stack(private_postgres, private_redis, tmp_path):
    """The demo district on the private cluster; gunicorn, worker.py and the cron process on it."""
    procs = Processes(app_env(private_postgres.url, private_redis.url, tmp_path, str(tmp_path / "files")))
    procs.flask("db", "upgrade")
    port = free_port()
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "cron")}
    running = {"web": procs.web(port, logs["web"]), "worker": procs.worker(logs["worker"]),
               "cron": procs.cron(logs["cron"])}
    site = Site(f"http://127.0.0.1:{port}")
    try:
        procs.flask("seed-demo")  # while they boot
        until(site.answers, 60, "gunicorn to answer")
        yield site, running, logs
    finally:
        procs.stop_all()


def _logs(logs: dict[str, Path]) -> str:
    return "\n".join(f"--- {name}\n{path.read_text()[-3000:]}" for name, path in logs.items())


def test_web_and_worker_ride_out_a_postgresql_restart(private_postgres, stack):
    site, running, logs = stack
    plan_id, inspection_id = _subjects(private_postgres.url)
    plan_docs, inspection_docs = f"/reports/plans/{plan_id}", f"/reports/inspections/{inspection_id}"
    status, page, _ = site.post("/login", "/login", username="leader", password=DEMO_PASSWORD)
    assert status == 200 and "Đăng xuất" in page

    caught = _ask_pdf(site, plan_docs, "progress_report")  # acknowledged: the status page is shown
    until(lambda: site.report_status(caught) in ("rendering", "ready"), 60, "the worker to take the first PDF")
    open_form = site.get(inspection_docs)[1]  # the user has the page open when the database goes
    private_postgres.stop("fast")  # every connection of web and worker is cut

    status, page, _ = site.get(plan_docs)
    assert status == 503 and "Cơ sở dữ liệu tạm thời không truy cập được" in page
    status, page, _ = site.submit(inspection_docs + "/request", open_form, kind="minutes")
    assert status == 503 and "chưa được ghi nhận" in page  # refused, and the user is told so

    private_postgres.start()
    status, page, _ = site.get(plan_docs)  # the same gunicorn: its stale pooled connections are replaced
    assert status == 200 and "Tạo PDF" in page, _logs(logs)
    asked_after = _ask_pdf(site, inspection_docs, "minutes")
    until(lambda: site.report_status(caught) == "ready", 60, f"the PDF caught by the outage:\n{_logs(logs)}")
    until(lambda: site.report_status(asked_after) == "ready", 60, f"a PDF asked after the restart:\n{_logs(logs)}")
    status, pdf, _ = site.get(f"/reports/{asked_after}/download")
    assert status == 200 and pdf.startswith("%PDF-")
    assert all(proc.poll() is None for proc in running.values()), _logs(logs)
