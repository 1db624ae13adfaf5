"""The unit of work: one commit per use case, side effects only after it succeeds."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import g, has_app_context
from sqlalchemy.orm.exc import StaleDataError

from models import db

from .errors import Conflict
from .i18n import N_

_STALE = N_("Bản ghi vừa được người khác cập nhật. Vui lòng tải lại và nhập lại thay đổi.")


def _state() -> dict:
    if "uow" not in g:
        g.uow = {"depth": 0, "callbacks": []}
    return g.uow


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Re-entrant: only the outermost level commits (or rolls back); after a successful commit
    the callbacks registered with `after_commit` run, in order; on rollback they are dropped."""
    state = _state()
    state["depth"] += 1
    try:
        yield
        if state["depth"] == 1:
            db.session.commit()
    except BaseException as exc:
        if state["depth"] == 1:
            db.session.rollback()
            state["callbacks"].clear()
        if isinstance(exc, StaleDataError):
            # another transaction saved the same versioned row first
            raise Conflict(_STALE) from exc
        raise
    finally:
        state["depth"] -= 1
    if state["depth"] == 0:
        _run_callbacks(state)


def _run_callbacks(state: dict) -> None:
    callbacks, state["callbacks"] = state["callbacks"], []
    for callback in callbacks:
        callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed; never if it rolls back."""
    if not has_app_context() or _state()["depth"] == 0:
        raise RuntimeError("after_commit() outside a unit of work")
    _state()["callbacks"].append(callback)


def check_version(record, expected, current: dict) -> None:
    """Refuse a save made on a stale copy of a versioned record; the Conflict carries the
    current values so the page can show them."""
    if str(record.version) != str(expected):
        raise Conflict("Bản ghi đã được người khác cập nhật trong khi bạn sửa. "
                       "Giá trị hiện tại được hiển thị bên dưới.", current=current)
