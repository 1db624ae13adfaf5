"""Backup fixtures: scratch PostgreSQL databases of this test process (restore targets, older
schemas), dropped afterwards, and apps bound to them with their own empty file store."""

import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from models import db
from tests.conftest import FreshContextClient, make_test_app


@pytest.fixture(scope="module")
def _scratch_pool(database_url):
    """Databases backup_restore_<pid>_<n>, made on first use and dropped after the module
    (dropping one forces a checkpoint, seconds on a busy server: tests reuse them)."""
    base = make_url(database_url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    pool: list[str] = []
    yield base, admin, pool
    with admin.connect() as conn:
        for name in pool:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_db(_scratch_pool):
    """Make an empty PostgreSQL database (no tables) for this test."""
    base, admin, pool = _scratch_pool
    used = []

    def _make() -> str:
        name = f"backup_restore_{os.getpid()}_{len(used)}"
        if name not in pool:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            pool.append(name)
        url = base.set(database=name)
        wipe = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with wipe.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        used.append(name)
        return url.render_as_string(hide_password=False)

    return _make


@pytest.fixture
def other_app(redis_url, tmp_path):
    """Make apps on another database, each with its own empty instance directory and file store."""
    apps, saved = [], os.environ.get("CCHC_INSTANCE_DIR")

    def _make(database_url: str, **overrides):
        made = make_test_app(database_url, redis_url, tmp_path / f"instance{len(apps)}", **overrides)
        made.test_client_class = FreshContextClient
        apps.append(made)
        return made

    yield _make
    for made in apps:
        with made.app_context():
            db.session.remove()
            db.engine.dispose()
    if saved is not None:
        os.environ["CCHC_INSTANCE_DIR"] = saved


def table_rows(skip=("backup_run",)) -> dict[str, list[tuple]]:
    """Every row of every table of the current app's database, in primary-key order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name not in skip:
            stmt = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in db.session.execute(stmt)]
    db.session.rollback()
    return rows
