"""Leader election: at most one process at a time runs the closing scheduler.

On PostgreSQL a session-level advisory lock, held by one dedicated connection: if the
process dies, its connection closes and another instance takes the lock. On SQLite (one
machine) an exclusive lock on a file beside the database, released by the kernel when the
process dies. The jobs are idempotent anyway; this keeps the work and the audit log tidy.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading

from sqlalchemy import text

from moderation.db import Database, sqlite_path_for

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x6D6F6431  # "mod1"


def try_flock(path: str):
    """An open file holding an exclusive lock on ``path``, or None if another process holds it."""
    handle = open(path, "a+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class Leadership:
    def __init__(self, db: Database, name: str = "scheduler") -> None:
        self.db = db
        self.name = name
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
        path = sqlite_path_for(str(self.db.engine.url))
        if path is None:  # an in-memory database belongs to this process alone
            self._file = open(os.devnull, "rb")
            return True
        self._file = try_flock(f"{path}.{self.name}.lock")
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
    """At most one holder per machine and database: an flock on a file in the temp folder.

    Used for the scorer embedded in serving processes, so that gunicorn's workers do not all
    score at once and intake keeps the other cores. Released by the kernel when the process
    dies, so another worker takes over.
    """

    def __init__(self, database_url: str, name: str) -> None:
        import hashlib
        import tempfile

        digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        self.path = os.path.join(tempfile.gettempdir(), f"moderation-{name}-{digest}.lock")
        self._file = None

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
