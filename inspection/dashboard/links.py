"""Links from a figure to the list behind it, filtered to exactly the rows the figure counts.

A figure whose rows a list cannot filter to exactly (a row rolling up several units, an area
the remediation list has no filter for) gets no link rather than a list that disagrees."""

from urllib.parse import urlencode

from flask import g, url_for

from ..formatting import format_date
from .figures import Board
from .rows import Row


def _url(endpoint: str, args: dict) -> str:
    """url_for(endpoint, **args), with the endpoint's path looked up once per request (a page
    of figures builds over a thousand links)."""
    paths = g.setdefault("dashboard_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint] + ("?" + urlencode(args, safe="/") if args else "")


def _unit_arg(board: Board, row: Row | None) -> dict | None:
    """The unit filter for a row (or for the whole board when `row` is None); None when no
    list filter matches the figure's units exactly."""
    if row is not None:
        return {"unit_id": row.unit_id} if row.exact else None
    if board.root_id is None:
        return {}  # the list shows what the user sees, as the board does
    return {"unit_id": board.root_id} if board.root_exact else None


def tasks(board: Board, row: Row | None = None, *, area_id=None, **filters) -> str | None:
    """The task list: tasks led by the row's unit, due within the period (and area)."""
    unit = _unit_arg(board, row)
    if unit is None:
        return None
    area = area_id if area_id is not None else board.area_id
    args = {"due_from": format_date(board.period.first), "due_to": format_date(board.period.last), **unit,
            **({"area_id": area} if area else {}), **filters}
    return _url("plans.task_list", args)


def actions(board: Board, row: Row | None = None, **filters) -> str | None:
    """The remediation list (every deadline: the remediation figures are its current state)."""
    unit = _unit_arg(board, row)
    if unit is None or board.area_id:
        return None
    return _url("remediation.action_list", {**unit, **filters})


def inspections(board: Board, row: Row | None = None) -> str:
    """The inspection list of the row's unit (and sub-units), in the period's month when it is one."""
    args = {"unit_id": row.unit_id if row is not None else board.root_id}
    if board.period.kind == "month":
        args["month"] = f"{board.period.first:%Y-%m}"
    return url_for("inspections.inspection_list", **{k: v for k, v in args.items() if v})
