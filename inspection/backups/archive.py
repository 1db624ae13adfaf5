"""Creating a backup: the dump first, then the stored files it refers to, then the manifest,
into `cchc-backup-<UTC time>.tar` (written as `.part` and renamed once complete)."""

import hashlib
import io
import json
import os
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from models import BackupRun, db, utcnow

from .. import build
from ..data.transaction import unit_of_work
from ..files import storage
from .database import BackupError, Snapshot, dump_database

ARCHIVE_GLOB = "cchc-backup-*.tar"
MANIFEST = "manifest.json"
FORMAT = 1
FILES = "files/"
CHUNK = 1024 * 1024


@dataclass
class BackupResult:
    path: Path
    size: int
    file_count: int
    revision: str
    missing: list[str] = field(default_factory=list)


def default_dir() -> Path:
    return Path(current_app.config["BACKUP_DIR"] or Path(current_app.config["INSTANCE_DIR"]) / "backups")


def create_backup(out_dir, *, trigger: str = "manual") -> BackupResult:
    """Write one archive into `out_dir` and record the run (ok or failed) for the operations page."""
    started = utcnow()
    try:
        result = _write_archive(Path(out_dir))
    except Exception as exc:
        message = exc.message if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
        _record(BackupRun(started_at=started, status="failed", trigger=trigger, location=str(out_dir),
                          error=message[:1000]))
        raise BackupError(message) from exc
    _record(BackupRun(started_at=started, status="ok", trigger=trigger, location=str(result.path),
                      size=result.size, file_count=result.file_count, missing_count=len(result.missing)))
    return result


def _record(run: BackupRun) -> None:
    with unit_of_work():
        run.finished_at = utcnow()
        db.session.add(run)


def _archive_path(out_dir: Path) -> Path:
    stamp = f"{utcnow():%Y%m%d-%H%M%S}"
    path, n = out_dir / f"cchc-backup-{stamp}.tar", 1
    while path.exists() or path.with_name(path.name + ".part").exists():
        n += 1
        path = out_dir / f"cchc-backup-{stamp}-{n}.tar"
    return path


def _write_archive(out_dir: Path) -> BackupResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    final = _archive_path(out_dir)
    partial = final.with_name(final.name + ".part")  # never mistaken for a finished backup
    try:
        with tempfile.TemporaryDirectory(prefix="cchc-backup-") as work:
            snap = dump_database(Path(work))
            partial.touch(mode=0o600)  # it holds every record and password hash: owner-only
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                members = {snap.member: add_member(tar, snap.member, snap.path.open("rb"))}
                missing = _add_stored_files(tar, snap.keys, members)
                manifest = json.dumps(_manifest(snap, members, missing), ensure_ascii=False, indent=1)
                add_member(tar, MANIFEST, io.BytesIO(manifest.encode()))
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(final, final.stat().st_size, len(members) - 1, snap.revision, missing)


def _add_stored_files(tar: tarfile.TarFile, keys: list[str], members: dict) -> list[str]:
    """Add each referenced file; return the keys whose file is gone (reported, not fatal)."""
    missing, store = [], storage.backend()
    for key in keys:
        try:
            source = store.open(key)
        except FileNotFoundError:
            missing.append(key)
            continue
        members[FILES + key] = add_member(tar, FILES + key, source)
    return missing


def add_member(tar: tarfile.TarFile, name: str, source: BinaryIO) -> dict:
    """Copy `source` in through a spool (tar needs the size before the bytes); its checksum."""
    digest = hashlib.sha256()
    with closing(source), tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = spool.tell(), int(utcnow().timestamp()), 0o600
        spool.seek(0)
        tar.addfile(info, spool)
    return {"sha256": digest.hexdigest(), "size": info.size}


def _manifest(snap: Snapshot, members: dict, missing: list[str]) -> dict:
    return {"format": FORMAT, "app": "cchc", "app_version": build.commit(), "alembic_revision": snap.revision,
            "created_at": utcnow().isoformat(),
            "database": {"dialect": snap.dialect, "member": snap.member, "tool": snap.tool},
            "members": members, "missing_files": missing}



def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in `out_dir` (their names sort by time)."""
    archives = sorted(Path(out_dir).glob(ARCHIVE_GLOB))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def last_runs() -> tuple[BackupRun | None, BackupRun | None]:
    """(the last good backup, the last attempt) for the operations page."""
    ok = select(BackupRun).where(BackupRun.status == "ok").order_by(BackupRun.finished_at.desc()).limit(1)
    last = select(BackupRun).order_by(BackupRun.finished_at.desc()).limit(1)
    return db.session.execute(ok).scalar(), db.session.execute(last).scalar()
