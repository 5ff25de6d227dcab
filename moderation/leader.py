"""Leader election: at most one process at a time runs the closing scheduler.

On PostgreSQL a session-level advisory lock, held by one dedicated connection: if the
process dies, its connection closes and another instance takes the lock. On SQLite (one
machine) an exclusive lock on a file in the runtime directory (moderation/rundir.py),
released by the kernel when the process dies. The jobs are idempotent anyway; this keeps the
work and the audit log tidy.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading

from sqlalchemy import text

from moderation.config import Settings
from moderation.db import Database, sqlite_path_for
from moderation.rundir import machine_path

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x6D6F6431  # "mod1"


class LockRefused(OSError):
    """A lock file that another account could have planted: this process will not use it."""


def try_flock(path: str):
    """An open file holding an exclusive lock on ``path``, or None if another process holds it.

    Raises LockRefused for a symbolic link (never followed: it could point at any file this
    account may write) or a file of another account (whoever owns it can hold the lock).
    """
    try:
        # O_CLOEXEC: a child (the webhook delivery process) must not keep the lock alive.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockRefused(errno.ELOOP, f"lock file {path} is a symbolic link; remove it") from None
        raise
    owner = os.fstat(fd).st_uid
    if owner != os.geteuid():
        os.close(fd)
        raise LockRefused(errno.EPERM, f"lock file {path} is owned by uid {owner}, not by this service's "
                                       f"account (uid {os.geteuid()}); remove it")
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class Leadership:
    def __init__(self, db: Database, name: str = "scheduler", *, settings: Settings | None = None) -> None:
        """``settings`` name the runtime directory that holds the lock file on SQLite."""
        self.db = db
        self.name = name
        self.path: str | None = None
        if db.is_sqlite and sqlite_path_for(str(db.engine.url)) is not None:
            if settings is None:
                raise TypeError("Leadership on a SQLite file needs the settings of its runtime directory")
            self.path = machine_path(settings, str(db.engine.url), name, ".lock")
        self._connection = None
        self._file = None
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """True if this process holds leadership after the call (kept while it lives)."""
        with self._lock:
            if self.held:
                return self._still_held()
            if self.db.is_sqlite:
                return self._try_file()
            return self._try_advisory()

    def release(self) -> None:
        with self._lock:
            if self._connection is not None:
                try:
                    self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                    self._connection.close()
                except Exception:
                    log.debug("advisory unlock failed (connection already gone)")
                self._connection = None
            if self._file is not None:
                self._file.close()
                self._file = None

    def _try_file(self) -> bool:
        if self.path is None:  # an in-memory database belongs to this process alone
            self._file = open(os.devnull, "rb")
            return True
        self._file = try_flock(self.path)
        return self._file is not None

    def _try_advisory(self) -> bool:
        connection = self.db.engine.connect()
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _still_held(self) -> bool:
        if self._connection is None:
            return True
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            log.warning("lost the database connection holding the %s lock", self.name)
            try:
                self._connection.close()
            except Exception:
                pass
            self._connection = None
            return False


class MachineLock:
    """At most one holder per machine and database: an flock on a file in the runtime directory.

    Used for the scorer embedded in serving processes, so that gunicorn's workers do not all
    score at once and intake keeps the other cores. Released by the kernel when the process
    dies, so another worker takes over.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._file = None

    @classmethod
    def for_settings(cls, settings: Settings, database_url: str, name: str) -> "MachineLock":
        return cls(machine_path(settings, database_url, name, ".lock"))

    @classmethod
    def for_runtime(cls, runtime, name: str) -> "MachineLock":
        return cls.for_settings(runtime.settings, str(runtime.db.engine.url), name)

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self) -> bool:
        if self._file is None:
            self._file = try_flock(self.path)
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
