"""Shared fixtures: a portal app on a freshly migrated database (SQLite, or PostgreSQL when
``TEST_DATABASE=postgresql``), its test client and CLI runner.

Every test starts with empty tables; the schema is built once per run by the Alembic migrations.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def pytest_report_header(config) -> str:
    return f"database backend: {BACKEND}"


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """An empty database of the backend under test; dropped afterwards (PostgreSQL)."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_dir / f'portal-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate_database(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def make_app(database_url: str, **overrides) -> Flask:
    config = {
        "PORTAL_ENV": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        # Forms are posted without tokens in unit tests; the browser journeys keep CSRF on.
        "WTF_CSRF_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    migrate_database(database_url)
    return database_url


def empty_all_tables(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(migrated: str, app_config: dict) -> Iterator[Flask]:
    app = make_app(migrated, **app_config)
    empty_all_tables(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def pytest_sessionstart(session) -> None:
    """Compiled catalogues, so that a bare pytest run shows pages in every language."""
    from tests.test_translations import compile_catalogues

    compile_catalogues()
