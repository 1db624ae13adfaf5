"""One helper for every list page: keyset pagination, whitelisted sorting, text filter."""

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, case, select, tuple_, union

from models import db

from ..language.text import fold


@dataclass
class Page:
    items: list
    next_cursor: str | None
    sort: str
    args: dict = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def _page(stmt, columns: list, after: list | None, descending: bool, size: int):
    """`stmt` after the cursor's row, in order, one row more than a page (to know if one follows)."""
    if after is not None:
        stmt = stmt.where(tuple_(*columns) < tuple_(*after) if descending else tuple_(*columns) > tuple_(*after))
    order = [c.desc() for c in columns] if descending else [c.asc() for c in columns]
    return stmt.order_by(*order).limit(size + 1)


def _decode(cursor: str, columns) -> list | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return [_typed(col, v) for col, v in zip(columns, raw, strict=True)]
    except (ValueError, TypeError):
        return None


def _typed(column, value):
    kind = column.type.python_type
    if kind in (date, datetime) and value is not None:
        return kind.fromisoformat(value)
    return kind(value) if value is not None else None


def _candidate_ids(branches: list, name: str, after: list | None, descending: bool, size: int):
    """The ids of one page cut from `branches`, each paged first (a subquery each, under its own
    ORDER BY/LIMIT), then cut again from their union."""
    paged = [_page(b, [b.selected_columns[1], b.selected_columns[0]], after, descending, size).subquery()
             for b in branches]
    rows = union(*(select(p.c[0].label("id"), p.c[1].label(name)) for p in paged)).subquery("candidate")
    return _page(select(rows.c.id), [rows.c[name], rows.c.id], after, descending, size)


_BUILT: dict = {}  # page statements built once (paginate's `reuse`)


def whole_words(q: str) -> str | None:
    """A PostgreSQL pattern finding the folded search term as whole words ("an phuoc" in "xa an
    phuoc", not in "xa tan phuoc"): what a search by a place name lists first. None without a term."""
    folded = fold(q)
    return rf"\m{re.escape(folded)}\M" if folded else None


def paginate(stmt, *, sorts: dict, sort: str, cursor: str | None, size: int,
             search_column=None, q: str = "", candidates=None, reuse=None, params: dict | None = None,
             first=None) -> Page:
    """Run `stmt` for one page: entities, or rows when it selects several columns (among them the
    sort column and the id). `sorts` maps a sort name to (column, descending); the model's
    primary key breaks ties. An unknown sort falls back to the first; a bad cursor to page 1.

    `candidates(column)`, when given, lists selects of (id, column) that together hold exactly the
    rows of `stmt` (a row may come twice), each written so the database finds it cheaply: a page
    is cut from each (from an index, in order), the page's ids from those, and only those rows are
    read in full.

    `reuse`, a key, says that `stmt` and `candidates` are the same statements on every call with
    that key (what differs is in `params`): the page's statement is then built once per key, sort
    and page size, the cursor bound when it runs (building it costs more than PostgreSQL takes
    to run it).

    `first`, a condition (e.g. a search term matching whole words), puts the rows meeting it before
    the others, each part in the sort's order; the cursor carries which part it stopped in. A search
    of `search_column` lists its whole-word matches first (whole_words)."""
    if sort not in sorts:
        sort = next(iter(sorts))
    column, descending = sorts[sort]
    described = stmt.column_descriptions  # built anew on every access
    key = described[0]["entity"].id
    searching = search_column is not None and fold(q)
    if searching:
        stmt = stmt.where(search_column.contains(fold(q), autoescape=True))
        first = search_column.regexp_match(whole_words(q)) if first is None else first
    part = None if first is None else case((first, int(descending)), else_=int(not descending))
    columns = [column, key] if part is None else [part, column, key]
    after = _decode(cursor, columns) if cursor else None
    built = None if reuse is None or searching or not current_app.config["CACHE_STATEMENTS"] else (reuse, sort, size)
    page_stmt, bound = _page_statement(stmt, columns, after, descending, size, candidates, built)
    result = db.session.execute(page_stmt, {**(params or {}), **bound})
    rows = (result.all() if len(described) > 1 else result.scalars().unique().all())
    next_cursor = _next_cursor(rows[size - 1], column, key, part) if len(rows) > size else None
    return Page(items=rows[:size], next_cursor=next_cursor, sort=sort, args={"q": q, "sort": sort})


def _next_cursor(last, column, key, part) -> str:
    """The cursor after `last`, the page's last row: its sort value and id, and with `part` (paginate's
    `first`) which part the page stopped in, as the database decides it."""
    values = [getattr(last, column.key), last.id]
    if part is not None:
        values.insert(0, db.session.execute(select(part).where(key == last.id)).scalar_one())
    return _encode(values)


def _page_statement(stmt, columns: list, after, descending: bool, size: int, candidates, built) -> tuple:
    """The page's statement and the cursor values it binds; with a `built` key (paginate's reuse)
    built once per key and whether a cursor is given, else built for these values."""
    if built is None:
        return _build_page(stmt, columns, after, descending, size, candidates), {}
    built = (*built, after is not None)
    if built not in _BUILT:
        bound = [bindparam(f"after_{n}", type_=c.type) for n, c in enumerate(columns)] if after else None
        _BUILT[built] = _build_page(stmt, columns, bound, descending, size, candidates)
    return _BUILT[built], {f"after_{n}": value for n, value in enumerate(after or ())}


def _build_page(stmt, columns: list, after, descending: bool, size: int, candidates):
    if candidates is not None:
        column, key = columns
        stmt = stmt.where(key.in_(_candidate_ids(candidates(column), column.key, after, descending, size)))
    return _page(stmt, columns, after, descending, size)
