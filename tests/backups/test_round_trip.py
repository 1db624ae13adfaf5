"""Backup and restore, end to end, through the `flask backup` / `flask restore` commands: the
restored database has the same rows, the restored store the same file bytes, and the restored
app serves them. A damaged, newer or misplaced backup is refused before anything changes."""

import contextvars
import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from inspection.backups import archive
from inspection.files import storage
from models import Attachment, BackupRun, OrgUnit, db
from models.enums import PlanStatus, Role
from tests.factories import make_photo, make_plan, make_task, make_task_file, make_tree, make_unit, make_user, sign_in
from tests.s3 import Bucket

from .conftest import table_rows

TASK_TITLE = "Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa xã An Phước"


def make_records() -> dict:
    """A unit tree, an officer, an issued plan with a task and two stored files (PDF and photo)."""
    units = make_tree()
    officer = make_user(role=Role.UNIT_OFFICER, unit=units["a"], username="canbo.anphuoc")
    plan = make_plan(unit=units["pc"], status=PlanStatus.ISSUED)
    task = make_task(unit=units["a"], plan=plan, title=TASK_TITLE)
    photo_bytes = make_photo(size=(640, 480))
    files = {make_task_file(task=task, author=officer).id: None,
             make_task_file(task=task, author=officer, content=photo_bytes, filename="anh-hien-truong.jpg").id: None}
    db.session.commit()
    for attachment_id in files:
        with storage.open_attachment(db.session.get(Attachment, attachment_id)) as stream:
            files[attachment_id] = stream.read()
    keys = [db.session.get(Attachment, attachment_id).storage_key for attachment_id in files]
    # plain values: ORM objects of this session must not lazy-load while another app is current
    return {"task_id": task.id, "officer": SimpleNamespace(username=officer.username), "files": files,
            "files_keys": keys}


def invoke(app, *args: str):
    """Run a `flask` command of `app`, in its own app context (as from a shell), even while the
    test holds another app's context open (Flask's commands would reuse that one)."""
    def run():
        with app.app_context():
            return app.test_cli_runner().invoke(args=list(args))

    return contextvars.Context().run(run)


def backup_to(app, out: Path) -> Path:
    result = invoke(app, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu vào" in result.output
    (path,) = out.glob("cchc-backup-*.tar")
    return path


def restore(app, path: Path, *extra: str):
    return invoke(app, "restore", str(path), *extra)


def stored_bytes(app) -> dict[int, bytes]:
    with app.app_context():
        found = {}
        for attachment in db.session.execute(select(Attachment)).scalars():
            with storage.open_attachment(attachment) as stream:
                found[attachment.id] = stream.read()
                assert hashlib.sha256(found[attachment.id]).hexdigest() == attachment.sha256
        return found


def assert_serves(app, records: dict) -> None:
    """Sign in on the restored app and open the task and its files."""
    client = app.test_client()
    sign_in(client, records["officer"])
    page = client.get(f"/tasks/{records['task_id']}")
    assert page.status_code == 200 and TASK_TITLE in page.get_data(as_text=True)
    for attachment_id, content in records["files"].items():
        response = client.get(f"/tasks/files/{attachment_id}")
        assert response.status_code == 200 and response.data == content


def test_postgresql_round_trip(committed, scratch_db, other_app, tmp_path, storage_backend):
    records = make_records()
    before = table_rows()
    path = backup_to(committed, tmp_path / "out")
    run = db.session.execute(select(BackupRun)).scalar_one()
    assert (run.status, run.location, run.size, run.file_count) == ("ok", str(path), path.stat().st_size, 2)
    assert path.stat().st_mode & 0o077 == 0  # every record and password hash is in it
    with tarfile.open(path) as tar:
        tool = json.load(tar.extractfile(archive.MANIFEST))["database"]["tool"]
    server = db.session.execute(text("SHOW server_version_num")).scalar_one()
    # the server's own pg_dump (the wheel's beside the embedded server), not Debian's older one
    assert tool.startswith(f"pg_dump {int(server) // 10000}."), tool

    # an empty database and an empty file store (a bucket of its own with an object store)
    bucket = storage_backend and Bucket(storage_backend.endpoint, f"cchc-{uuid.uuid4().hex[:12]}", "khoi-phuc")
    target = other_app(scratch_db(), **({"STORAGE_URL": bucket.url, "STORAGE_ENDPOINT": bucket.endpoint}
                                        if bucket else {}))
    result = restore(target, path)
    assert result.exit_code == 0, result.output
    if bucket:  # the files went back into the target's bucket, none to its disk
        assert bucket.keys() == set(records["files_keys"])
        assert not Path(target.config["STORAGE_DIR"]).exists()
    with target.app_context():
        assert table_rows() == before
        make_unit(name="Ủy ban nhân dân xã Lập Sau Khôi Phục")
        db.session.commit()  # the sequences came back too: a new row takes a fresh id
    assert stored_bytes(target) == records["files"]
    assert_serves(target, records)


def test_a_non_empty_database_is_replaced_only_with_force(committed, scratch_db, other_app, tmp_path):
    make_records()
    before = table_rows()
    path = backup_to(committed, tmp_path / "out")
    target = other_app(scratch_db())
    assert restore(target, path).exit_code == 0
    with target.app_context():
        make_unit(name="Ủy ban nhân dân xã Thêm Sau Khôi Phục")
        db.session.commit()

    refused = restore(target, path)
    assert refused.exit_code == 1 and "không trống" in refused.output and "--force" in refused.output
    with target.app_context():
        assert db.session.execute(select(func.count()).select_from(OrgUnit)).scalar() == 6

    assert restore(target, path, "--force").exit_code == 0
    with target.app_context():
        assert table_rows() == before


def _rewrite(path: Path, out: Path, change) -> Path:
    """A copy of the archive with `change(name, bytes) -> bytes` applied to each member."""
    with tarfile.open(path) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def _bump_manifest(revision: str):
    def change(name, data):
        if name != archive.MANIFEST:
            return data
        return json.dumps(json.loads(data) | {"alembic_revision": revision}).encode()
    return change


def test_a_tampered_or_newer_backup_is_refused_and_changes_nothing(committed, scratch_db, other_app, tmp_path):
    make_records()
    path = backup_to(committed, tmp_path / "out")
    target = other_app(scratch_db())

    def flip_a_photo_byte(name, data):
        photo = name.startswith("files/") and len(data) > 1000
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if photo else data

    tampered = _rewrite(path, tmp_path / "tampered.tar", flip_a_photo_byte)
    result = restore(target, tampered)
    assert result.exit_code == 1 and "sha256" in result.output and "không khớp" in result.output

    newer = _rewrite(path, tmp_path / "newer.tar", _bump_manifest("ffffffffffff"))
    result = restore(target, newer)
    assert result.exit_code == 1 and "mới hơn" in result.output and "ffffffffffff" in result.output

    with target.app_context():
        assert inspect(db.engine).get_table_names() == []
        assert not any(Path(target.config["STORAGE_DIR"]).rglob("*"))

    assert restore(target, tmp_path / "out").exit_code == 2  # a directory is not a backup


def test_an_older_backup_is_upgraded_after_restore(committed, scratch_db, other_app, tmp_path):
    script = ScriptDirectory(committed.extensions["migrate"].directory)
    older = script.get_revision(script.get_current_head()).down_revision
    source = other_app(scratch_db())
    with source.app_context():
        flask_migrate.upgrade(revision=older)
        make_unit(name="Ủy ban nhân dân xã Trước Nâng Cấp")
        db.session.commit()
        path = archive._write_archive(tmp_path / "old").path  # this schema has no backup_run table yet

    target = other_app(scratch_db())
    result = restore(target, path)
    assert result.exit_code == 0, result.output
    assert f"đã nâng cấp lên {script.get_current_head()}" in result.output
    with target.app_context():
        assert db.session.execute(select(OrgUnit.name)).scalar_one() == "Ủy ban nhân dân xã Trước Nâng Cấp"
        assert db.session.execute(select(func.count()).select_from(BackupRun)).scalar() == 0


@pytest.mark.parametrize("member", ["../../etc/cron.d/x"])
def test_an_archive_with_an_unsafe_member_is_refused(committed, scratch_db, other_app, tmp_path, member):
    make_records()
    path = backup_to(committed, tmp_path / "out")

    def smuggle(name, data):
        if name == archive.MANIFEST:
            manifest = json.loads(data)
            manifest["members"][member] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
            return json.dumps(manifest).encode()
        return data

    evil = _rewrite(path, tmp_path / "evil.tar", smuggle)
    with tarfile.open(evil, "a") as tar:
        info = tarfile.TarInfo(member)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    result = restore(other_app(scratch_db()), evil)
    assert result.exit_code == 1 and "không hợp lệ" in result.output
