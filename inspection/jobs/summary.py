"""The dashboard summary's periodic job (registered in schedule.py)."""

from ..dashboard import summary


def refresh_dashboard() -> str:
    """Recount the units changed since the last run; rebuild everything at a day boundary and
    every DASHBOARD_FULL_REFRESH_SECONDS (600 s by default); otherwise do nothing."""
    state, dirty = summary.current_state(), summary.take_dirty()
    try:
        if summary.ALL in dirty or summary.full_refresh_due(state):
            summary.refresh_summary()
            return "full"
        if dirty:
            summary.refresh_units(dirty)
            return f"{len(dirty)} units"
    except Exception:
        summary.mark_dirty(dirty or {summary.ALL})  # not lost: the next run tries again
        raise
    return "fresh"
