"""The daily export of the audit chain's head (on when CCHC_BACKUP_DIR or SMTP_HOST is set)."""

from flask import current_app

from ..security import anchors
from .daily import run_once_today


def export_audit_head() -> bool:
    """Once a day: the head into CCHC_BACKUP_DIR/audit-anchors.txt and to the administrators by
    e-mail. A failure is recorded for the operations page instead of failing the cron job."""
    if not (current_app.config["BACKUP_DIR"] or current_app.config["SMTP_HOST"]):
        return False
    return run_once_today(anchors.JOB_NAME, _export)


def _export() -> str:
    try:
        return anchors.export_head()
    except OSError as exc:
        return f"failed: {exc}"
