"""Test fixtures. Every test runs on SQLite, and on PostgreSQL when
MODERATION_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).

The schema is built by `alembic upgrade head`, as in production. Each test runs inside one
transaction that is rolled back at its end; tests that need real commits from several
threads or processes use ``committed_runtime``, which empties the tables afterwards.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from moderation import migrate
from moderation.app import create_app
from moderation.clock import FrozenClock
from moderation.config import Settings
from moderation.db import Database, make_engine
from moderation.runtime import Runtime

PG_URL = os.environ.get("MODERATION_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])

# A fixed "now" for tests: a Wednesday morning in Lausanne.
T0 = datetime(2026, 11, 25, 8, 0, 0, tzinfo=timezone.utc)


def base_settings(url: str, **sections) -> Settings:
    settings = Settings().replace(
        database={"url": url, "timeout_seconds": 5.0},
        closing={"run_scheduler": False},
        # allow_download: tests never touch the network (the download tests serve files locally).
        scoring={"backend": "fake", "run_worker": False, "allow_download": False},
        api={"key_cache_seconds": 0.0},
        # Limits are tested on their own (tests/test_abuse.py); elsewhere they would only
        # make tests that post many comments depend on the order they run in.
        ratelimit={"enabled": False},
        # Tests start delivery workers themselves (tests/webhooks); one started by an app with
        # background=True would outlive its test and deliver other tests' events.
        webhooks={"run_worker": False},
    )
    return settings.replace(**sections) if sections else settings


def _reset_postgres(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'moderation.db'}"
    return PG_URL


@pytest.fixture(scope="session")
def engine(database_url):
    settings = base_settings(database_url).database
    engine = make_engine(settings)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FrozenClock(T0)


@pytest.fixture
def settings(database_url):
    return base_settings(database_url)


@pytest.fixture
def connection(engine):
    connection = engine.connect()
    outer = connection.begin()
    yield connection
    outer.rollback()
    connection.close()


@pytest.fixture
def runtime(settings, clock, engine, connection):
    return Runtime(settings, clock=clock, database=Database(settings.database, engine, connection=connection))


@pytest.fixture
def session(runtime):
    with runtime.db.transaction() as session:
        yield session


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


def _empty_tables(engine) -> None:
    from moderation import models  # noqa: F401  (every table in the metadata)
    from moderation.db import Base

    # Children before parents, so that foreign keys never refuse a delete.
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY"))
        else:
            # The audit log refuses DELETE by trigger; tests lift it for cleanup only.
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text(
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))


@pytest.fixture
def committed_runtime(settings, clock, engine):
    """A runtime whose transactions really commit (for races between threads or processes)."""
    _empty_tables(engine)
    runtime = Runtime(settings, clock=clock, database=Database(settings.database, engine))
    yield runtime
    _empty_tables(engine)
