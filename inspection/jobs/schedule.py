"""The `rq cron` schedule (lives in code, so a flushed Redis loses nothing).

Daily jobs are registered on an interval and decide for themselves, through a database row
per (job, day), whether today's run is due: a missed time or two cron processes change nothing."""

import os

from rq import cron

from .action_reminders import send_action_reminders
from .audit_head import export_audit_head
from .backups import daily_backup
from .par_reminders import send_par_reminders
from .remediation import escalate_remediation
from .reminders import send_task_reminders
from .reports import sweep_reports
from .summary import refresh_dashboard
from .sweeps import daily_housekeeping

_INTERVAL = int(os.environ.get("CCHC_SWEEP_INTERVAL", "600"))
_PREFIX = os.environ.get("CCHC_QUEUE_PREFIX", "")
_DASHBOARD_INTERVAL = int(os.environ.get("CCHC_DASHBOARD_INTERVAL", "15"))  # refreshes only when due
# stuck PDF renderings are settled within job timeout + margin + this interval
_REPORT_SWEEP = int(os.environ.get("CCHC_REPORT_SWEEP_INTERVAL", "60"))
_BACKUP_TIMEOUT = int(os.environ.get("CCHC_BACKUP_TIMEOUT", "7200"))  # a large file store takes a while

cron.register(daily_housekeeping, _PREFIX + "default", interval=_INTERVAL)
cron.register(send_task_reminders, _PREFIX + "default", interval=_INTERVAL)
cron.register(send_action_reminders, _PREFIX + "default", interval=_INTERVAL)
cron.register(send_par_reminders, _PREFIX + "default", interval=_INTERVAL)
cron.register(escalate_remediation, _PREFIX + "default", interval=_INTERVAL)
cron.register(sweep_reports, _PREFIX + "default", interval=_REPORT_SWEEP)
cron.register(refresh_dashboard, _PREFIX + "default", interval=_DASHBOARD_INTERVAL)
cron.register(daily_backup, _PREFIX + "default", interval=_INTERVAL, job_timeout=_BACKUP_TIMEOUT)
cron.register(export_audit_head, _PREFIX + "default", interval=_INTERVAL)
