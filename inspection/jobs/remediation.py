"""Daily remediation work: escalate overdue actions (once per day, whatever runs it)."""

from ..language.formatting import local_today
from ..remediation.escalation import escalate_overdue
from .daily import run_once_today


def escalate_remediation() -> bool:
    """Once a day: escalate overdue remediation to unit heads and leaders."""
    return run_once_today("remediation_escalation", lambda: f"raised {escalate_overdue(local_today())}")
