"""Databases to restore into: a fresh SQLite file, or a fresh PostgreSQL database beside the suite's."""
from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_made: set[str] = set()


def fresh_database(backend: str, suite_url: str, tmp_path, name: str) -> str:
    """The URL of a new, empty database named after the suite's (``<db>_<name>`` on PostgreSQL;
    dropped after the test by ``drop_databases``)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    url = make_url(suite_url)
    database = f"{url.database}_{name}"
    _admin(suite_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
    _made.add(suite_url + "\0" + database)
    return url.set(database=database).render_as_string(hide_password=False)


def drop_databases() -> None:
    while _made:
        suite_url, database = _made.pop().split("\0")
        _admin(suite_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _admin(suite_url: str, *statements: str) -> None:
    admin = create_engine(make_url(suite_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def rows(url: str, statement: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement)).all()
    finally:
        engine.dispose()
