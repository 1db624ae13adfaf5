"""The dashboard for one user: what they see (their units' subtree), for a period and a PAR area."""

from dataclasses import dataclass

from models import subtree_sets

from ..errors import NotFound
from ..language.formatting import local_today
from ..security import permissions, scoping
from . import facts, queries, summary
from .figures import Board, build_board
from .period import Period
from .unit_rows import build_rows, canonical, top_units


def dashboard_roles() -> frozenset:
    return permissions.ACTIONS["dashboard.view"]


@dataclass
class Dashboard:
    board: Board
    freshness: summary.Freshness
    units: dict  # unit id → UnitInfo: every unit the user's dashboard may cover


def _roots(actor, tree) -> set[int]:
    if scoping.is_admin(actor):
        return top_units(tree)
    return {m.unit_id for m in actor.memberships if m.role in dashboard_roles() and m.unit_id in tree}


def _may_see(actor):
    """Whether counts under an inspection not yet disclosed to its target (a surprise one not
    started, another not announced), ordered by a unit, are added in: only for the steering roles
    of that unit's subtree (DESIGN "Who sees what")."""
    if scoping.is_admin(actor):
        return lambda _ordering_unit: True
    if not any(m.role in scoping.STEERING for m in actor.memberships):
        return lambda _ordering_unit: False
    steering = scoping.visible_unit_ids(actor, scoping.STEERING)
    return lambda ordering_unit: ordering_unit in steering


def get_dashboard(actor, period: Period, *, area_id: int | None = None, root_id: int | None = None,
                  use_summary: bool = True, fresh: summary.Freshness | None = None) -> Dashboard:
    """The figures `actor` may see, limited to `root_id`'s subtree when given (NotFound when the
    user's dashboard does not cover that unit). `fresh` says whether the summary may be used
    (it is looked up when not given); without `use_summary` the figures are counted live."""
    # the ids themselves, not the recursive query: PostgreSQL then knows how many rows are the
    # user's and reads them by unit from each table's index, however many other provinces it holds
    visible = None if scoping.sees_everything(actor, dashboard_roles()) \
        else sorted(scoping.visible_unit_ids(actor, dashboard_roles()))
    tree = queries.unit_tree(visible)
    if root_id is not None and root_id not in tree:
        raise NotFound()
    roots = {canonical(root_id, tree)} if root_id is not None else _roots(actor, tree)
    rows, owner = build_rows(roots, tree)
    units = sorted(subtree_sets([root_id])[root_id]) if root_id is not None else visible
    span = (period.trend_months[0], period.last)
    if fresh is None or not use_summary:
        fresh = summary.freshness(summary.current_state() if use_summary else None)
    source = facts.live_source(local_today(), units, span) if fresh.live else facts.stored_source(units, span)
    sums = queries.totals(source, period=(period.first, period.last), trend=span, area_id=area_id)
    board = build_board(sums, period=period, rows=rows, owner=owner, area_id=area_id, may_see=_may_see(actor))
    if root_id is not None:
        board.root_id, board.root_exact = root_id, set(owner) == {root_id}
    return Dashboard(board=board, freshness=fresh, units=tree)
