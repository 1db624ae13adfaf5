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

from inspection.demo.seed import seed_demo
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


def test_the_actions_already_recorded_get_the_par_area_of_their_finding(empty_database_app):
    """b2e6f0a4c8d1 fills remediation_action.area_id for the actions recorded before it."""
    area_of_finding = text("SELECT a.id, ci.area_id FROM remediation_action a JOIN finding f ON f.id = a.finding_id "
                           "LEFT JOIN checklist_item ci ON ci.id = f.item_id ORDER BY a.id")
    with empty_database_app.app_context():
        seed_demo("demo")
        expected = db.session.execute(area_of_finding).all()
        db.session.commit()
        db.engine.dispose()
        flask_migrate.downgrade(revision="a8d2f6c4e913")
        flask_migrate.upgrade()
        found = db.session.execute(text("SELECT id, area_id FROM remediation_action ORDER BY id")).all()
    assert found == expected and any(area for _, area in expected)
