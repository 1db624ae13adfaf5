"""Models and migrations do not drift; the migrations build the schema from empty, take it down
to empty and build it again."""

from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from models import db
from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_do_not_drift_on_postgresql(app):
    assert _drift(app) == []


@pytest.fixture
def empty_database_app(database_url, redis_url, tmp_path):
    """An app on a database of its own on the suite's server, built by the migrations."""
    base = make_url(database_url)
    name = f"{base.database}_migrations"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    app = make_test_app(base.set(database=name).render_as_string(hide_password=False), redis_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migrations_downgrade_to_empty_and_back(empty_database_app):
    with empty_database_app.app_context():
        flask_migrate.downgrade(revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
    assert _drift(empty_database_app) == []


def test_postgresql_is_the_only_database():
    """No second database's branch, trigger variant or backup path is left in the code."""
    places = [ROOT / "app.py", ROOT / "worker.py",
              *(f for d in ("inspection", "models", "migrations") for f in (ROOT / d).rglob("*") if f.is_file())]
    naming = [str(f.relative_to(ROOT)) for f in places if f.suffix != ".pyc" and b"sqlite" in f.read_bytes().lower()]
    assert naming == []
