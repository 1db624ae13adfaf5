"""Restoring a backup. Everything that can be checked is checked before anything changes: the
manifest's checksums, the archive's member names, the schema revision, the database kind, an
empty target. Then the files (extra files are harmless), then the database in one transaction,
then `db upgrade` for an older backup. Each error names the step that failed and what it left."""

import hashlib
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import flask_migrate
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import select

from models import Attachment, db

from ..files import storage
from .archive import CHUNK, FILES, FORMAT, MANIFEST
from .database import BackupError, dialect, is_empty, restore_database


@dataclass
class RestoreResult:
    revision: str
    head: str
    file_count: int
    upgraded: bool
    missing: list[str] = field(default_factory=list)


def restore_backup(archive, *, force: bool = False) -> RestoreResult:
    """Restore `archive` into this app's database and file store (empty, unless `force`)."""
    try:
        tar = tarfile.open(archive, "r:")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Không đọc được tệp sao lưu {archive}: {exc}") from exc
    with tar, tempfile.TemporaryDirectory(prefix="cchc-restore-") as work:
        manifest = read_manifest(tar)
        verify_members(tar, manifest)
        head, upgrade = _check_revision(manifest["alembic_revision"])
        dump = Path(work) / Path(manifest["database"]["member"]).name
        _step(lambda: (_check_target(manifest, force), _extract(tar, manifest["database"]["member"], dump)),
              "Chưa thay đổi gì")
        files = _restore_files(tar, manifest)
        _step(lambda: restore_database(dump, force=force),
              f"Đã ghi {files} tệp đính kèm; khôi phục cơ sở dữ liệu thất bại, cơ sở dữ liệu giữ nguyên như trước")
    if upgrade:
        _step(flask_migrate.upgrade, "Đã khôi phục cơ sở dữ liệu và tệp; nâng cấp cấu trúc (db upgrade) thất bại, "
                                     "hãy chạy lại `flask db upgrade`")
    return RestoreResult(manifest["alembic_revision"], head, files, upgrade, _missing_files())


def _step(action, what_it_left: str) -> None:
    try:
        action()
    except BackupError as exc:
        raise BackupError(f"{what_it_left}. {exc.message}") from exc
    except Exception as exc:
        raise BackupError(f"{what_it_left}. {type(exc).__name__}: {exc}") from exc


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError, TypeError, tarfile.TarError, AttributeError) as exc:
        raise BackupError("Tệp không phải bản sao lưu hợp lệ: không có hoặc không đọc được manifest.json.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"Bản sao lưu có định dạng {found!r}, ứng dụng này đọc định dạng {FORMAT}.")
    if not _well_formed(manifest):
        raise BackupError("manifest.json của bản sao lưu thiếu mục hoặc sai kiểu dữ liệu: không khôi phục.")
    return manifest


def _well_formed(manifest: dict) -> bool:
    database, members = manifest.get("database"), manifest.get("members")
    return (isinstance(manifest.get("alembic_revision"), str) and isinstance(database, dict)
            and isinstance(database.get("member"), str) and isinstance(database.get("dialect"), str)
            and isinstance(members, dict)
            and all(isinstance(m, dict) and isinstance(m.get("sha256"), str) for m in members.values()))


def verify_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every member listed, safe-named, a regular file, with the recorded size and sha256."""
    listed = manifest["members"]
    found = {m.name: m for m in tar.getmembers() if m.name != MANIFEST}
    if extra := sorted(set(found) - set(listed)):
        raise BackupError(f"Bản sao lưu có tệp không ghi trong manifest: {', '.join(extra[:5])}.")
    if absent := sorted(set(listed) - set(found)):
        raise BackupError(f"Bản sao lưu thiếu tệp ghi trong manifest: {', '.join(absent[:5])}.")
    if manifest["database"]["member"] not in listed:
        raise BackupError("Bản sao lưu không có bản kết xuất cơ sở dữ liệu.")
    for name, member in found.items():
        if not member.isfile() or not _safe(name):
            raise BackupError(f"Bản sao lưu có mục không hợp lệ: {name}.")
        if _sha256(tar.extractfile(member)) != listed[name]["sha256"]:
            raise BackupError(f"Tổng kiểm tra (sha256) của {name} không khớp manifest: "
                              "bản sao lưu bị hỏng hoặc bị sửa, không khôi phục.")


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in path.parts) and "\\" not in name


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _check_revision(revision: str) -> tuple[str, bool]:
    """(this code's head, whether the backup needs an upgrade); a newer backup is refused."""
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    head = script.get_current_head()
    if revision == head:
        return head, False
    if revision not in {r.revision for r in script.walk_revisions()}:
        raise BackupError(f"Bản sao lưu ở phiên bản cơ sở dữ liệu {revision}, mới hơn (hoặc khác) phiên bản "
                          f"{head} của ứng dụng này: hãy cập nhật ứng dụng rồi khôi phục lại.")
    return head, True


def _check_target(manifest: dict, force: bool) -> None:
    if manifest["database"]["dialect"] != dialect():
        raise BackupError(f"Bản sao lưu là của {manifest['database']['dialect']}, cơ sở dữ liệu đích là {dialect()}.")
    if not force and not is_empty():
        raise BackupError("Cơ sở dữ liệu đích không trống: khôi phục vào một cơ sở dữ liệu trống, hoặc dùng "
                          "--force để xoá toàn bộ dữ liệu hiện có rồi khôi phục.")


def _restore_files(tar: tarfile.TarFile, manifest: dict) -> int:
    names = [name for name in manifest["members"] if name.startswith(FILES)]
    store = storage.backend()
    for done, name in enumerate(names):
        fd, part = tempfile.mkstemp(dir=storage.spool_dir(), suffix=".part")
        os.close(fd)
        try:
            _extract(tar, name, Path(part))
            store.put(name.removeprefix(FILES), part)
        except OSError as exc:
            Path(part).unlink(missing_ok=True)
            raise BackupError(f"Ghi tệp {name} thất bại sau {done} tệp ({exc}); cơ sở dữ liệu chưa thay đổi.") from exc
    return len(names)


def _extract(tar: tarfile.TarFile, name: str, target: Path) -> None:
    source = tar.extractfile(name)
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)


def _missing_files() -> list[str]:
    """Attachments of the restored database whose file is not in the store."""
    store, missing = storage.backend(), []
    for key in db.session.execute(select(Attachment.storage_key)).scalars():
        try:
            store.open(key).close()
        except FileNotFoundError:
            missing.append(key)
    db.session.remove()
    return missing
