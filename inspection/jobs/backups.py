"""The daily backup (on when CCHC_BACKUP_DIR is set), with retention."""

from flask import current_app

from .. import backups
from .daily import run_once_today


def daily_backup() -> bool:
    """Once a day: one archive into BACKUP_DIR, keeping the newest BACKUP_KEEP archives. A failure
    is recorded for the operations page (and shown there) instead of failing the cron job."""
    if not current_app.config["BACKUP_DIR"]:
        return False
    return run_once_today("daily_backup", _backup)


def _backup() -> str:
    out_dir = current_app.config["BACKUP_DIR"]
    try:
        result = backups.create_backup(out_dir, trigger="scheduled")
    except backups.BackupError as exc:
        return f"failed: {exc.message}"
    pruned = backups.prune(result.path.parent, current_app.config["BACKUP_KEEP"])
    return f"{result.path.name}: {result.size} bytes, {result.file_count} files, {len(pruned)} pruned"
