"""Real web processes for tests that need more than one (shared throttling, shared sessions)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def web_process(database_url: str, redis_url: str, instance_dir: Path, **env):
    """`flask run` on a free port with the test database and Redis; yields its port."""
    port = _free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "CCHC_PROFILE": "demo", "CCHC_INSTANCE_DIR": str(instance_dir),
                   "SECRET_KEY": "khoa-bi-mat-thu-nghiem", **env}
    log = open(instance_dir / f"web-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port),
                             "--no-reload", "--no-debugger"], cwd=ROOT, env=environment,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, proc, instance_dir / f"web-{port}.log")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _wait_until_up(port: int, proc, log_path: Path) -> None:
    deadline = time.monotonic() + 90  # a loaded machine starts Flask slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"web process exited: {log_path.read_text()[-2000:]}")
        try:
            if Browser(port).request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"web process did not start: {log_path.read_text()[-2000:]}")


class Browser:
    """A minimal browser for one web process: keeps its cookies, never follows redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, urlencode(form) if form is not None else None, headers)
            response = conn.getresponse()
            body = response.read().decode()
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            return response.status, dict(response.headers), body
        finally:
            conn.close()

    def _keep_cookies(self, values: list[str]) -> None:
        for value in values:
            name, _, rest = value.partition("=")
            content = rest.split(";", 1)[0]
            if content:
                self.cookies[name] = content
            else:
                self.cookies.pop(name, None)

    def sign_in(self, username: str, password: str) -> tuple[int, dict, str]:
        html = self.request("GET", "/login")[2]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        return self.request("POST", "/login", {"username": username, "password": password, "csrf_token": token})
