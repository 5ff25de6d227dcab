"""Database access shared by every domain: the declarative base, UTC timestamps, engines,
transactions and after-commit hooks.

Two rules live here:
* Every timestamp is stored and returned in UTC (``UTCDateTime``).
* A write transaction on SQLite starts with ``BEGIN IMMEDIATE``, so that a check followed by
  a write (is the thread open? then insert) runs under the database's write lock and cannot
  interleave with another writer. On PostgreSQL the same guarantee comes from row locks
  taken by the services (``FOR SHARE`` / ``FOR UPDATE``).
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy.exc
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from moderation.config import DatabaseSettings

log = logging.getLogger(__name__)

# Stable constraint names, so that Alembic migrations can name what they alter.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit ids on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored as UTC; naive datetimes are refused (they are bugs)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        # SQLite compares timestamps as text: store one fixed, offset-free format.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def make_engine(settings: DatabaseSettings, **kwargs: Any) -> Engine:
    """An engine for the configured URL with the pragmas and timeouts this service relies on."""
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": settings.timeout_seconds, "check_same_thread": False},
            # Errors never carry the statement's values (comment bodies, names) into a log.
            hide_parameters=True,
            **kwargs,
        )
        _configure_sqlite(engine, settings)
        return engine
    timeout_ms = int(settings.timeout_seconds * 1000)
    return create_engine(
        url,
        pool_size=settings.pool_size,
        # No cap beyond pool_size: a process never has more connections checked out than its
        # request threads plus its background parts (scheduler lock, sweep, deadline job,
        # re-plan, scorer, webhook worker: 6, with room to spare: 10), so the pool opens what
        # that takes instead of making a request wait for a connection during a burst and
        # answer 503. PostgreSQL's max_connections must allow processes x (threads + 10);
        # see config/default.toml.
        max_overflow=-1,
        pool_timeout=settings.timeout_seconds,
        pool_pre_ping=True,
        hide_parameters=True,  # see above
        connect_args={
            "connect_timeout": max(1, int(settings.timeout_seconds)),
            # A server that vanishes without closing its connections (a partition) is noticed
            # within seconds, not after the kernel's default of many minutes.
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
            "tcp_user_timeout": timeout_ms,
            # A request never waits longer than the timeout for a row lock or a statement.
            "options": f"-c lock_timeout={timeout_ms} -c statement_timeout={timeout_ms * 6}",
        },
        **kwargs,
    )


def _configure_sqlite(engine: Engine, settings: DatabaseSettings) -> None:
    synchronous = settings.sqlite_synchronous.upper()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.timeout_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and the sessions of one process."""

    def __init__(self, settings: DatabaseSettings, engine: Engine | None = None, *,
                 connection: Connection | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.dialect = self.engine.dialect.name
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        # expire_on_commit=False: views serialise objects after the commit that made them durable.
        path = sqlite_path_for(str(self.engine.url)) if self.is_sqlite else None
        self._writer_queue = WriterQueue(path, settings.timeout_seconds) if path and connection is None \
            else contextlib.nullcontext()
        # The transaction this thread is in, if any (see ``transaction``).
        self._local = threading.local()
        if connection is not None:
            # Tests: each outermost transaction is a savepoint of the test's own transaction,
            # which is rolled back when the test ends. Nesting behaves as in production: it
            # is handled by ``transaction`` itself, not by this binding.
            self._reader = self._writer = sessionmaker(bind=connection, expire_on_commit=False,
                                                       join_transaction_mode="create_savepoint")
        else:
            self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
            self._writer = sessionmaker(bind=writer, expire_on_commit=False)

    def session(self) -> Session:
        """A plain session for reads outside ``transaction`` (close it, e.g. ``with db.session()``)."""
        return self._reader()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        Called while this thread is already inside a transaction of this database, it joins
        it: the same session and connection, with a savepoint around the inner block, so an
        error inside it undoes only the inner block (and propagates). Nothing commits until
        the outermost block ends. A write inside a read-only transaction fails at once (on
        SQLite a read transaction cannot become the writer without risking a deadlock).

        Functions registered with ``after_commit(session, fn)`` run once the outermost
        transaction committed, in the thread that committed.
        """
        current: Session | None = getattr(self._local, "session", None)
        if current is not None:
            if write and not self._local.write:
                raise NestedWriteError("a write transaction cannot be opened inside a read-only one")
            with current.begin_nested():
                yield current
            return
        session = (self._writer if write else self._reader)()
        session.info["database"] = self
        queue = self._writer_queue if write else contextlib.nullcontext()
        self._local.session, self._local.write = session, write
        try:
            with queue, session.begin():
                yield session
        finally:
            self._local.session = None
            session.close()
        for _, callback in session.info.pop("after_commit", []):
            try:
                callback()
            except Exception:  # a hook must never turn a committed write into an error
                log.exception("after-commit hook failed")

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside a ``transaction()`` of this database."""
        return getattr(self._local, "session", None) is not None

    @property
    def in_write_transaction(self) -> bool:
        """Whether this thread is inside a write ``transaction()`` (on SQLite: holds the writer)."""
        return self.in_transaction and bool(self._local.write)

    def dispose(self) -> None:
        self.engine.dispose()


class WriterQueue:
    """Queues SQLite writers of every process of this machine in line, instead of letting them
    poll for the database lock.

    SQLite lets one writer in at a time and makes the others retry with sleeps that grow to
    100 ms: under a burst that is what the slowest requests wait. Here the threads of a
    process queue on a thread lock, and one thread per process polls an exclusive flock on a
    file beside the database every quarter millisecond, up to the configured timeout.
    SQLite's own locking still guarantees correctness; this only removes the long sleeps.
    """

    def __init__(self, database_path: str, timeout_seconds: float) -> None:
        self.path = f"{database_path}.writer-lock"
        self.timeout_seconds = timeout_seconds
        self._thread_lock = threading.Lock()
        self._local = threading.local()
        self._handle = None
        self._pid = None

    def _file(self):
        # One descriptor per process (flock locks belong to the open file description).
        if self._pid != os.getpid():
            self._handle = open(self.path, "a+b")
            self._pid = os.getpid()
        return self._handle

    def __enter__(self) -> None:
        if getattr(self._local, "depth", 0):
            self._local.depth += 1  # a nested write transaction of the same thread
            return
        if not self._thread_lock.acquire(timeout=self.timeout_seconds):
            raise sqlalchemy.exc.TimeoutError("timed out waiting for the SQLite writer queue")
        try:
            self._lock_file()
        except BaseException:
            self._thread_lock.release()
            raise
        self._local.depth = 1

    def _lock_file(self) -> None:
        handle = self._file()
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlalchemy.exc.TimeoutError("timed out waiting for the SQLite writer queue") from None
                time.sleep(0.00025)

    def __exit__(self, *exc_info) -> None:
        self._local.depth -= 1
        if self._local.depth:
            return
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class NestedWriteError(RuntimeError):
    """A write transaction was opened inside a read-only one (a programming error)."""


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after this session's outermost transaction commits.

    Never if it rolls back; and a hook registered inside a savepoint that rolls back is
    dropped with it, while hooks registered elsewhere in the transaction stay.
    """
    registered_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault("after_commit", []).append((registered_in, callback))


@event.listens_for(Session, "after_soft_rollback")
def _drop_hooks_of_rolled_back_work(session: Session, rolled_back: Any) -> None:
    hooks = session.info.get("after_commit")
    if hooks:
        session.info["after_commit"] = [(tx, hook) for tx, hook in hooks if not _inside(tx, rolled_back)]


def _inside(transaction: Any, ancestor: Any) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def sqlite_path_for(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return os.path.abspath(parsed.database)
