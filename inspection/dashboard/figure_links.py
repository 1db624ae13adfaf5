"""Links from a figure to the list behind it, filtered to exactly the rows the figure counts.

A figure whose rows a list cannot filter to exactly (a row rolling up several units in a list
whose unit filter takes one unit only) gets no link rather than a list that disagrees."""

from urllib.parse import urlencode

from flask import g, url_for

from ..language.formatting import format_date
from .figures import Board
from .unit_rows import Row


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
    """The remediation list (every deadline: the remediation figures are its current state), in
    the board's area when one is chosen."""
    unit = _unit_arg(board, row)
    if unit is None:
        return None
    area = {"area_id": board.area_id} if board.area_id else {}
    return _url("remediation.action_list", {**unit, **area, **filters})


def _started_in(board: Board, row: Row | None) -> dict:
    """The unit (with its sub-units, as the inspection and findings lists filter) and the period,
    by the inspection's start date as the figures count it."""
    unit = row.unit_id if row is not None else board.root_id
    return {**({"unit_id": unit} if unit else {}), "start_from": format_date(board.period.first),
            "start_to": format_date(board.period.last)}


def inspections(board: Board, row: Row | None = None, **filters) -> str:
    """The inspection list: inspections of the row's unit (and sub-units) starting in the period."""
    return _url("inspections.inspection_list", {**_started_in(board, row), **filters})


def inspected_units(board: Board, unit_ids: set[int], **filters) -> str | None:
    """The inspection list for a count of units: the list shows them as the distinct units of its
    rows, which is the count only when each row counted is one unit (else no link)."""
    if not all(board.rows[uid].exact for uid in unit_ids):
        return None
    return inspections(board, **filters)


def findings(board: Board, *, area_id: int | None = None, **filters) -> str:
    """The findings list: findings of inspections starting in the period (and of the area)."""
    area = area_id if area_id is not None else board.area_id
    return _url("inspections.finding_list", {**_started_in(board, None), **({"area_id": area} if area else {}),
                                             **filters})
