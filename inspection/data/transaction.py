"""The unit of work: one commit per use case, side effects only after it succeeds."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import g, has_app_context, request
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from models import db

from ..errors import Conflict
from ..language.i18n import N_

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


@contextmanager
def savepoint() -> Iterator[None]:
    """A part of the current unit of work that may fail on its own (one item of a batch): on an exception
    its writes are rolled back to a savepoint and the callbacks it registered are dropped, and the
    exception goes on; the rest of the unit of work is kept."""
    state = _state()
    kept = len(state["callbacks"])
    nested = db.session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        del state["callbacks"][kept:]
        raise
    nested.commit()


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


def run_alone(statement, params: dict):
    """The first row of one statement run on its own connection in autocommit: a transaction of
    its own, committed as the statement ends (no BEGIN and no COMMIT round trip). For a public
    page's one read (the citizens' survey page) or one insert that needs nothing else in its
    transaction (a citizen's answer). Inside the tests' one outer transaction the session's
    connection runs it, as it alone sees the test's rows, and commits (a savepoint released)."""
    bind = db.session.get_bind()
    if not isinstance(bind, Engine):
        row = db.session.connection().execute(statement, params).first()
        db.session.commit()
        return row
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).first()


def end_reads_with_commit(app) -> None:
    """A GET request's transaction ends with COMMIT when it only read. psycopg forgets its
    prepared statements on every ROLLBACK, so ending each page with one would have every query of
    every page planned afresh (bench/web.py: a third of the database's work on the task list).
    A transaction that wrote anything, or holds unflushed changes, still rolls back."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", _began)
    event.listen(engine, "before_cursor_execute", _note_write)
    app.teardown_request(_end_read)


def _began(conn) -> None:
    conn.info["wrote"] = False


def _note_write(conn, _cursor, statement: str, _parameters, context, _executemany) -> None:
    verb = statement.lstrip()[:6].upper()
    compiled_read = (context is not None and not context.is_text
                     and not (context.isinsert or context.isupdate or context.isdelete))
    if not (verb == "SELECT" or (verb.startswith("WITH") and compiled_read)):
        conn.info["wrote"] = True


def pending_changes() -> bool:
    """Whether the session holds changes not yet flushed."""
    session = db.session()
    return bool(session.new or session.dirty or session.deleted)


def _end_read(exc) -> None:
    session = db.session()
    if exc is not None or request.method not in ("GET", "HEAD") or not session.in_transaction():
        return  # Flask-SQLAlchemy's teardown rolls back
    if pending_changes() or session.connection().info.get("wrote", True):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
