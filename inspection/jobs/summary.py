"""The dashboard summary's periodic job (registered in schedule.py)."""

from ..dashboard import summary


def refresh_dashboard() -> str:
    """Recount the units changed since the last run; rebuild everything at a day boundary and
    every DASHBOARD_FULL_REFRESH_SECONDS (600 s by default); otherwise do nothing. The marks read
    are cleared in the recount's transaction: a failed run leaves them for the next."""
    state, (dirty, through) = summary.current_state(), summary.changes()
    if summary.ALL in dirty or summary.full_refresh_due(state):
        summary.refresh_summary(through=through)
        return "full"
    if dirty:
        summary.refresh_units(dirty, through=through)
        return f"{len(dirty)} units"
    return "fresh"
