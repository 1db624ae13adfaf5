"""Backups: one archive holding the database dump and the stored files that dump refers to.

The dump comes first, inside one snapshot (one our transaction exports and `pg_dump --snapshot`
joins), and the attachment keys are read from that same snapshot, so the archive's files are
exactly those the dump refers to: files written later are skipped, referenced files that are gone
are listed. A manifest records the app version, the Alembic revision, the time and each member's
sha256. Restoring verifies all of it first."""

from .archive import BackupResult, create_backup, default_dir, last_runs, prune
from .database import BackupError
from .restore import RestoreResult, restore_backup

__all__ = ["BackupError", "BackupResult", "RestoreResult", "create_backup", "default_dir", "last_runs", "prune",
           "restore_backup"]
