"""Count the SQL statements a request runs, and fail a page that exceeds its budget."""

from contextlib import contextmanager

from sqlalchemy import event

from models import db


class StatementBudgetExceeded(AssertionError):
    pass


@contextmanager
def statement_budget(app, budget: int):
    """Count statements run inside the block on the app's engine; fail if more than `budget`."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if len(statements) > budget:
        listing = "\n".join(s.split("\n")[0][:120] for s in statements)
        raise StatementBudgetExceeded(f"{len(statements)} statements > budget {budget}:\n{listing}")
