"""Models and migrations do not drift; the migrations build the schema from empty on both
databases the product supports; text search behaves alike on SQLite."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import db
from tests.conftest import make_test_app


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_do_not_drift_on_postgresql(app):
    assert _drift(app) == []


@pytest.fixture
def sqlite_app(tmp_path, redis_url):
    app = make_test_app(f"sqlite:///{tmp_path / 'cchc.sqlite3'}", redis_url, tmp_path,
                        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def test_migrations_upgrade_from_empty_and_match_models_on_sqlite(sqlite_app):
    assert _drift(sqlite_app) == []
    with sqlite_app.app_context():
        journal = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
    assert journal == "wal"  # web, worker and scheduler write to one file


def test_migrations_downgrade_to_empty_and_back(sqlite_app):
    with sqlite_app.app_context():
        flask_migrate.downgrade(revision="base")
        assert "org_unit" not in db.inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "org_unit" in db.inspect(db.engine).get_table_names()


@pytest.mark.parametrize("query", ["Khắc Phục", "khac phuc", "KHAC PHUC"])
def test_search_ignores_diacritics_and_unicode_form_on_sqlite(sqlite_app, query):
    from tests.test_conventions import _assert_folded_search_finds

    with sqlite_app.app_context():
        _assert_folded_search_finds(query)
        db.session.rollback()
