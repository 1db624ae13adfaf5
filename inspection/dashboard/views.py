"""The leader's dashboard ("Tổng quan"): a period and a PAR area; the figures of the user's units."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectChoice

from models import OrgUnit
from models.enums import SEVERITY_LABELS

from ..data import replica
from ..feedback import figures as feedback_figures
from ..language.formatting import local_today
from ..par import panel_queries
from ..security import permissions
from . import bp, cache, figure_links, graphics, period, queries, summary, tables
from .board import get_dashboard
from .forms import DashboardFilterForm


def _quick_periods(today, board) -> list[tuple[str, str, bool]]:
    """(label, link, is the current period) for the one-click periods, keeping area and unit."""
    last_month = period.add_months(today.replace(day=1), -1)
    choices = [(_("Tháng này"), period.month_period(today), {"period": "month", "month": f"{today:%Y-%m}"}),
               (_("Tháng trước"), period.month_period(last_month), {"period": "month", "month": f"{last_month:%Y-%m}"}),
               (_("Quý này"), period.quarter_period(today.year, period.quarter_of(today)),
                {"period": "quarter", "year": today.year, "quarter": period.quarter_of(today)}),
               (_("Năm nay"), period.year_period(today.year), {"period": "year", "year": today.year}),
               (_("Năm trước"), period.year_period(today.year - 1), {"period": "year", "year": today.year - 1})]
    keep = {k: v for k, v in (("area_id", board.area_id), ("unit_id", board.root_id)) if v}
    return [(label, url_for("dashboard.overview", **args, **keep), chosen == board.period)
            for label, chosen, args in choices]


def _unit_choices(units: dict) -> list[SelectChoice]:
    ordered = sorted(units.values(), key=lambda u: (not u.is_active, u.name))
    return [SelectChoice("", _("Mọi đơn vị tôi theo dõi"))] + [
        SelectChoice(str(u.id), u.name if u.is_active else _("%(n)s (đã sáp nhập)", n=u.name)) for u in ordered]


@bp.route("/dashboard")
@login_required
@permissions.body_ids(unit_id=OrgUnit)
def overview():
    """Tasks due and done, on time or late, overdue; inspections; findings; remediation; the
    ranking of units and the monthly trend — each figure linked to its filtered list."""
    permissions.require(current_user, "dashboard.view")
    with replica.reads() as source:  # seconds of lag are fine here; the page says how many
        fresh = summary.freshness(summary.current_state())
        key = cache.key_for(current_user, fresh)
        content = cache.get(key)
        if content is None:
            content = _content(fresh)
            cache.put(key, content)
        # citizens' ratings change with every answer, the Chỉ số CCHC with every score: outside the
        # remembered content
        weakest, par_panels = feedback_figures.weakest_desks(current_user), panel_queries.list_panels(current_user)
    return render_template("dashboard/overview.html", content=content, weakest=weakest, par_panels=par_panels,
                           replica_lag=source.shown_lag())


def _content(fresh: summary.Freshness) -> Markup:
    """The page's content for the filters asked for (NotFound for a unit outside the user's units)."""
    today, areas = local_today(), queries.areas()
    form = DashboardFilterForm(formdata=request.args)
    form.area_id.choices = [SelectChoice("", _("Mọi lĩnh vực"))] + [SelectChoice(str(a.id), a.name) for a in areas]
    form.validate()
    chosen = form.chosen_period(today)
    form.show(chosen, today)
    dashboard = get_dashboard(current_user, chosen, area_id=form.value("area_id"), root_id=form.value("unit_id"),
                              fresh=fresh)
    form.unit_id.choices = _unit_choices(dashboard.units)
    board = dashboard.board
    return Markup(render_template(
        "dashboard/_content.html", form=form, board=board, dashboard=dashboard, areas={a.id: a for a in areas},
        links=figure_links, charts=graphics.for_board(board, areas), task_lines=tables.task_lines(board, areas),
        finding_lines=tables.finding_areas(board, areas), quick=_quick_periods(today, board), today=today,
        SEVERITY_LABELS=SEVERITY_LABELS, root=dashboard.units.get(board.root_id),
        filter_args={k: v for k, v in request.args.items() if k != "unit_id" and v}))
