"""How a GET request's transaction ends (inspection/data/transaction.py end_reads_with_commit): one
that only read commits, so the database keeps the pages' prepared statements; one that wrote
without committing still leaves nothing behind. On real connections (the `committed` fixture)."""

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from models import OrgUnit, db
from tests.conftest import make_test_app

pytestmark = pytest.mark.committed


@pytest.fixture
def probe_app(database_url, redis_url, tmp_path):
    """An app on the same database with two probe pages (routes cannot be added to the shared one)."""
    app = make_test_app(database_url, redis_url, tmp_path)

    @app.get("/_probe/half-written")
    def half_written():
        db.session.add(OrgUnit(code="probe", name="Đơn vị ghi dở", name_folded="don vi ghi do", kind="commune"))
        db.session.flush()  # the INSERT reached the database; nothing commits it
        return "ok"

    @app.get("/_probe/read")
    def read():
        db.session.execute(select(OrgUnit.id).where(OrgUnit.code == "none"))
        return str(db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one())

    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_page_that_wrote_without_committing_leaves_nothing_behind(committed, probe_app):
    client = probe_app.test_client()
    assert client.get("/_probe/half-written").status_code == 200
    assert db.session.execute(select(func.count()).where(OrgUnit.code == "probe")).scalar_one() == 0


def test_pages_that_only_read_keep_their_prepared_statements_between_requests(committed, probe_app):
    client = probe_app.test_client()
    counts = [int(client.get("/_probe/read").get_data(as_text=True)) for _ in range(8)]
    # psycopg prepares a statement on its fifth run; a ROLLBACK at each page's end would drop it
    assert counts[:4] == [0, 0, 0, 0]
    assert counts[-1] >= 1


def _settings(session_or_connection) -> tuple[str, str]:
    return tuple(session_or_connection.execute(text(f"SHOW {name}")).scalar_one() for name in ("jit", "work_mem"))


@pytest.mark.parametrize("options", [None, ""])
def test_the_apps_connections_compile_no_statement_and_count_in_memory(database_url, redis_url, tmp_path, options):
    """Each connection sets jit = off and work_mem = 16MB for itself (inspection/config.py
    SESSION_OPTIONS); CCHC_DATABASE_SESSION_OPTIONS="" (behind a pooler) leaves the server's own."""
    plain = create_engine(database_url, poolclass=NullPool)
    with plain.connect() as conn:
        server = _settings(conn)
    assert server != ("off", "16MB")  # the server's defaults differ, so the test can tell
    app = make_test_app(database_url, redis_url, tmp_path,
                        **({} if options is None else {"DATABASE_SESSION_OPTIONS": options}))
    with app.app_context():
        assert _settings(db.session) == (("off", "16MB") if options is None else server)
        db.engine.dispose()
