"""Test architecture (STYLE.md §18): a PostgreSQL database per xdist worker built once by the
migrations; each test in an outer transaction with savepoints; real Redis on a private index.
The servers are the ones named by TEST_DATABASE_URL / TEST_REDIS_URL, else the run's own
(tests/services.py). A missing service fails the run: it is never a skip."""

import os
import re
from urllib.parse import urlsplit, urlunsplit

import flask_migrate
import pytest
import redis as redis_lib
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models import db

pytest_plugins = ["tests.services", "tests.factories", "tests.par_records", "tests.scenario", "tests.s3", "tests.pki",
                  "tests.fieldwork"]


def _driver_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def _worker_number(worker_id: str) -> int:
    return int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0


@pytest.fixture(scope="session")
def database_url(worker_id):
    """A fresh database for this xdist worker, dropped at the end."""
    base = make_url(_driver_url(os.environ["TEST_DATABASE_URL"]))  # set by tests/services.py
    name = f"{os.environ.get('TEST_DB_PREFIX', 'cchc_test')}_{worker_id}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # fails loudly when PostgreSQL is not there
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url(worker_id):
    """Real Redis on an index of this worker's own (the app and RQ share it)."""
    base = os.environ["TEST_REDIS_URL"]  # set by tests/services.py
    index = int(os.environ.get("TEST_REDIS_DB_BASE", "10")) + _worker_number(worker_id)
    # a unix socket's URL names its index in the query, a TCP URL in the path
    url = (f"{base.split('?')[0]}?db={index}" if base.startswith("unix:")
           else urlunsplit(urlsplit(base)._replace(path=f"/{index}")))
    client = redis_lib.Redis.from_url(url)
    client.ping()  # fails loudly when Redis is not there
    client.flushdb()
    client.close()
    return url


def make_test_app(database_url: str, redis_url: str, instance_dir, **overrides):
    os.environ["CCHC_INSTANCE_DIR"] = str(instance_dir)
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_DIR": str(instance_dir / "files"),
        "PROFILE": "demo",
        # CI exports DATABASE_URL, which makes load_config() pick the production profile's
        # two-factor roles; tests opt into two-factor explicitly where they test it.
        "TWO_FACTOR_REQUIRED_ROLES": frozenset(),
        "SERVER_NAME": None,
        # tests pin device times to fixed hours of today (on_site(hour=9)), which lie ahead of the
        # clock at night; tests/api/test_sync.py sets the real allowance to test captures in the future
        "CAPTURE_FUTURE_MINUTES": 24 * 60,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    app = make_test_app(database_url, redis_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        flask_migrate.upgrade()
    app.test_client_class = FreshContextClient
    return app


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own `g`, session and login), as in
    production, even while the test holds a context open for its factories."""

    def open(self, *args, **kwargs):
        # Hide the test's context without popping it (popping would tear its session down).
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def _transaction(app):
    """Swap the engine for one connection inside an outer transaction; services' commits
    become savepoint releases; everything is rolled back afterwards."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        # the deferred triggers (catalog_version) fire at each statement: the test never commits
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
            engines[None] = engine
        outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app, _transaction, redis_client):
    """An app context for the test body (factories, services)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def redis_client(app):
    with app.app_context():
        from inspection.data.queue import get_redis

        client = get_redis()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def client(app, ctx):
    return app.test_client()


@pytest.fixture
def committed(app, redis_client):
    """For concurrency tests and real workers: commits go through on separate connections;
    every table is emptied afterwards."""
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()


@pytest.fixture
def whole_lists(app):
    """Lists show every row on one page, so a count can be checked against the list it links to."""
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 1000
    yield
    app.config["PAGE_SIZE"] = size


REFERENCE_TABLES = {"par_area", "catalog_version"}  # filled by the migrations, kept between tests


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
