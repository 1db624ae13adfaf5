"""The audit chain's head leaves the server every day (ASVS 16.4.3): `SEQ:HASH` with the time is
appended to a file in CCHC_BACKUP_DIR (copied off the machine with the backups) and, when SMTP is
set, e-mailed to the administrators. `flask audit verify --anchor FILE` reads such a file back:
every head written down must still be in the chain, unchanged — which catches events removed from
the end, or a tail rewritten with recomputed hashes, that the chain alone cannot see."""

import logging
import os
import re
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from models import ScheduledRun, db, utcnow

from ..jobs.mail import send_mail
from ..language.formatting import local_today
from ..main.notifications import recipients
from . import audit
from .security_events import administrator_ids

log = logging.getLogger(__name__)
FILE_NAME = "audit-anchors.txt"
JOB_NAME = "export_audit_head"
_RECORD = re.compile(r"(?:^|\s)(\d+):([0-9a-f]{64})(?:\s|$)")


def anchor_line(seq: int, digest: str, at: datetime) -> str:
    return f"{at.isoformat(timespec='seconds')} {seq}:{digest}\n"


def read_anchors(text: str) -> list[tuple[int, str]]:
    """The SEQ:HASH records of an anchor file (or an e-mail pasted into one), in order; lines
    without one (blank, comments, mail headers) are skipped."""
    return [(int(m[1]), m[2]) for line in text.splitlines() if (m := _RECORD.search(line.strip()))]


def export_head() -> str:
    """Write down today's head: appended to the file (synced to disk) and e-mailed; what was done,
    in words, for the scheduled run's row. Raises OSError when the file cannot be written."""
    seq, digest = audit.chain_head()
    line, done = anchor_line(seq, digest, utcnow()), []
    if current_app.config["BACKUP_DIR"]:
        path = Path(current_app.config["BACKUP_DIR"]) / FILE_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        done.append(str(path))
    if current_app.config["SMTP_HOST"]:
        done.append(f"{_mail(line)} e-mail")
    return f"ok {seq}:{digest} → " + ", ".join(done)


def _mail(line: str) -> int:
    """E-mail the record to every active administrator with an address; how many were sent."""
    subject = f"Neo chuỗi nhật ký hệ thống CCHC ngày {local_today():%d/%m/%Y}"
    body = ("Bản ghi đầu chuỗi nhật ký (thời điểm, SEQ:HASH). Lưu thư này ngoài máy chủ; khi cần kiểm tra, "
            "ghi các dòng này vào một tệp và chạy: flask --app app audit verify --anchor TỆP\n\n" + line)
    sent = 0
    for user in recipients(administrator_ids()):
        if not user.email:
            continue
        try:
            send_mail(user.email, subject, body)
            sent += 1
        except OSError:
            log.warning("audit head not e-mailed to %s", user.email, exc_info=True)
    return sent


def last_export() -> ScheduledRun | None:
    """The last successful daily export (for the operations page)."""
    stmt = (select(ScheduledRun).where(ScheduledRun.job_name == JOB_NAME, ScheduledRun.result.like("ok %"))
            .order_by(ScheduledRun.finished_at.desc().nulls_last()).limit(1))
    return db.session.execute(stmt).scalar()
