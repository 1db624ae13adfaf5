"""How a GET request's transaction ends (inspection/data/transaction.py end_reads_with_commit): one
that only read commits, so the database keeps the pages' prepared statements; one that wrote
without committing still leaves nothing behind. On real connections (the `committed` fixture)."""

import pytest
from sqlalchemy import func, select, text

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
