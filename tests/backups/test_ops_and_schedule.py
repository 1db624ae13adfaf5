"""The operations page shows the last backup and warns (in Vietnamese) when there is none, when
it is older than a day, or when the latest attempt failed; the daily backup runs once a day
when CCHC_BACKUP_DIR is set and keeps the newest CCHC_BACKUP_KEEP archives."""

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from inspection.jobs.backups import daily_backup
from models import BackupRun, ScheduledRun, db, utcnow
from models.enums import Role
from tests.factories import make_tree, make_user, sign_in

NONE_YET = "Chưa có bản sao lưu nào"
STALE = "Bản sao lưu gần nhất đã cũ hơn một ngày"


def _run(hours_ago: float, status: str = "ok", **fields) -> BackupRun:
    finished = utcnow() - timedelta(hours=hours_ago)
    run = BackupRun(started_at=finished - timedelta(minutes=2), finished_at=finished, status=status,
                    trigger=fields.pop("trigger", "scheduled"), **fields)
    db.session.add(run)
    db.session.commit()
    return run


def _ops_text(client) -> str:
    """The operations page's visible text, one space between words."""
    response = client.get("/admin/ops")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_the_page_warns_when_there_is_no_backup(client, login_as):
    login_as(Role.ADMIN, "root")
    page = _ops_text(client)
    assert NONE_YET in page and "Chưa bật sao lưu tự động hằng ngày" in page


def test_the_page_warns_when_the_last_backup_is_older_than_a_day(client, login_as):
    _run(30, location="/srv/cchc/backups/cchc-backup-20261122-000000.tar", size=52_428_800, file_count=140)
    login_as(Role.ADMIN, "root")
    page = _ops_text(client)
    assert STALE in page and "cchc-backup-20261122-000000.tar" in page and "50,0 MB" in page


def test_a_fresh_backup_shows_where_and_how_large_without_a_warning(client, login_as):
    _run(30, location="/srv/cchc/backups/old.tar")
    _run(2, location="/srv/cchc/backups/cchc-backup-20261123-000000.tar", size=3_145_728, file_count=12,
         missing_count=1)
    login_as(Role.ADMIN, "root")
    page = _ops_text(client)
    assert STALE not in page and NONE_YET not in page
    assert "cchc-backup-20261123-000000.tar" in page and "3,0 MB · 12 tệp đính kèm" in page
    assert "Trong vòng một ngày" in page and "1 tệp được cơ sở dữ liệu tham chiếu" in page


def test_a_failed_attempt_after_the_last_good_backup_is_shown(client, login_as):
    _run(3, location="/srv/cchc/backups/cchc-backup-20261123-000000.tar")
    _run(1, status="failed", error="pg_dump thất bại (mã 1): server version mismatch")
    login_as(Role.ADMIN, "root")
    page = _ops_text(client)
    assert "không thành công" in page and "server version mismatch" in page and STALE not in page


def test_the_daily_backup_runs_once_a_day_and_keeps_the_newest(committed, monkeypatch, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    for old in ("cchc-backup-20200101-000000.tar", "cchc-backup-20200102-000000.tar"):
        (out / old).write_bytes(b"old")
    monkeypatch.setitem(committed.config, "DAILY_RUN_HOUR", 0)
    monkeypatch.setitem(committed.config, "BACKUP_KEEP", 2)
    assert daily_backup() is False  # off until a directory is set
    monkeypatch.setitem(committed.config, "BACKUP_DIR", str(out))

    assert daily_backup() is True and daily_backup() is False
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and names[0] == "cchc-backup-20200102-000000.tar"
    run = db.session.execute(select(BackupRun)).scalar_one()
    assert (run.status, run.trigger, run.location) == ("ok", "scheduled", str(out / names[1]))
    assert "1 pruned" in db.session.execute(select(ScheduledRun.result)).scalar_one()

    make_tree_and_admin = make_user(role=Role.ADMIN, unit=make_tree()["root"])
    db.session.commit()
    client = committed.test_client()
    sign_in(client, make_tree_and_admin)
    page = _ops_text(client)
    assert names[1] in page and NONE_YET not in page and STALE not in page
    assert f"Sao lưu tự động hằng ngày vào {out}, giữ 2 bản gần nhất" in page


def test_a_failed_daily_backup_is_recorded_for_the_page(committed, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    monkeypatch.setitem(committed.config, "DAILY_RUN_HOUR", 0)
    monkeypatch.setitem(committed.config, "BACKUP_DIR", str(blocked))
    assert daily_backup() is True  # ran, failed, and said so instead of failing the cron job
    run = db.session.execute(select(BackupRun)).scalar_one()
    assert run.status == "failed" and "FileExistsError" in run.error
    assert db.session.execute(select(ScheduledRun.result)).scalar_one().startswith("failed:")
