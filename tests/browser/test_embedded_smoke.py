"""The embedded default, as a new user gets it: no DATABASE_URL, no REDIS_URL (the embedded
PostgreSQL with its data in instance/postgres and an embedded Redis in the instance directory),
`flask db upgrade`, `seed-demo`, `serve`; every demo account signs in on a tablet; the leader
clicks "Tạo PDF" and the forked worker renders it (the status page turns ready and offers the
download); one Ctrl-C stops the web server, the worker, the scheduler, Redis and PostgreSQL."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg
import pytest
from playwright.sync_api import expect

from inspection.server import embedded_db

from .conftest import DEMO_ACCOUNTS, TABLET, save_screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]


def _embedded_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY") and not k.startswith("CCHC_")}
    env.update(CCHC_INSTANCE_DIR=str(instance), PYTHONUNBUFFERED="1")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(FLASK + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited early:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds}s:\n{log.read_text()}")


def _family(proc: subprocess.Popen) -> list[psutil.Process]:
    parent = psutil.Process(proc.pid)
    return [parent, *parent.children(recursive=True)]


@pytest.fixture
def instance():
    """A new instance directory outside pytest's own (which pytest closes to other users: as root,
    the embedded PostgreSQL runs as a user of its own)."""
    path = Path(tempfile.mkdtemp(prefix="cchc-smoke-")) / "instance"
    yield path
    embedded_db.stop(path / "postgres")  # its own session: a killpg of serve's group misses it
    shutil.rmtree(path.parent, ignore_errors=True)


@pytest.fixture
def embedded(instance, tmp_path):
    """`flask serve` on the embedded default, in its own process group (killed if still there)."""
    env = _embedded_env(instance)
    assert "Đã nạp dữ liệu mẫu" in (_run(["db", "upgrade"], env) + _run(["seed-demo", "--if-demo"], env))
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(FLASK + ["serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/login", proc, log)
        yield proc, f"http://127.0.0.1:{port}", log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _postmaster(instance: Path) -> list[str]:
    """postmaster.pid of the embedded server: pid, data directory, ..., socket directory, ..."""
    return (instance / "postgres" / "postmaster.pid").read_text().splitlines()


def _demo_plan_id(instance: Path) -> int:
    with psycopg.connect(host=_postmaster(instance)[4], user="postgres", dbname=embedded_db.DATABASE) as conn:
        return conn.execute("SELECT id FROM plan WHERE year = 2024").fetchone()[0]


def _leader_gets_a_pdf(page, base: str, instance: Path) -> None:
    """From the plan's page: "Tạo PDF" → the status page turns ready → the download is a PDF."""
    sign_in(page, base, "leader")
    page.goto(f"{base}/plans/{_demo_plan_id(instance)}")
    page.get_by_role("link", name="Báo cáo kết quả (PDF)").click()
    card = page.locator("section.rp-kind", has=page.locator("#kind-progress_report"))
    card.get_by_role("button", name="Tạo PDF (dự thảo)").click()
    page.wait_for_url(re.compile(r"/reports/\d+$"))
    download = page.get_by_role("link", name="Tải tệp PDF")
    download.wait_for(timeout=90_000)  # the page polls, then reloads once the worker is done
    expect(page.locator("#report-status")).to_have_text("Đã có tệp PDF")
    save_screenshot(page, "smoke-pdf-ready-tablet")
    response = page.request.get(base + download.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    sign_out(page, base)


def test_embedded_default_serves_every_role_renders_a_pdf_and_stops_on_one_ctrl_c(embedded, instance, new_context):
    proc, base, log = embedded
    server = psutil.Process(int(_postmaster(instance)[0]))
    assert Path(server.cmdline()[server.cmdline().index("-D") + 1]) == instance / "postgres"
    family = [*_family(proc), server]
    names = " ".join(" ".join(p.cmdline()) for p in family)
    for part in ("gunicorn", "worker.py", "cron", "redis-server"):
        assert part in names, f"{part} not started: {names}"

    page = new_context(TABLET).new_page()
    page.goto(f"{base}/login")
    save_screenshot(page, "smoke-login-tablet")
    for username in DEMO_ACCOUNTS:
        sign_in(page, base, username)
        assert page.locator(".role-list li").count() >= 1, username
        save_screenshot(page, f"smoke-home-{username}-tablet")
        sign_out(page, base)
    _leader_gets_a_pdf(page, base, instance)

    before = len(log.read_text())
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    gone, alive = psutil.wait_procs(family, timeout=30)
    assert alive == [], f"still running after Ctrl-C: {[p.cmdline() for p in alive]}\n{log.read_text()}"
    assert proc.wait(timeout=5) == 0
    farewell = log.read_text()[before:]  # Redis stops after the worker and scheduler: a clean stop
    assert "Traceback" not in farewell and "Redis unavailable" not in farewell, farewell
