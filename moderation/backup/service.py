"""Backups: `moderation db backup|verify|restore` and the leader's daily job (no Flask).

A backup is a directory, created 0700 with files 0600 (it holds readers' comments):

  PATH/database.sqlite3  or  PATH/database.pgdump   the data (SQLite file, or pg_dump --format=custom)
  PATH/manifest.json                                 backend, schema revision, counts per table,
                                                     SHA-256 of the data file, created_at, tool versions

It is written into a temporary directory beside PATH and renamed at the end, so PATH either
holds a whole backup or does not exist. The counts and the revision are read from the same
snapshot as the data: on SQLite from the copy itself, on PostgreSQL in the transaction whose
exported snapshot pg_dump uses (``--snapshot``), so that they match while intake goes on.

Nothing here logs a row's content: only paths, table names, counts and versions.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url

from moderation import migrate

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SQLITE_FILE, PG_FILE = "database.sqlite3", "database.pgdump"
FORMAT = 1
# The daily job's directories: moderation-20261125T030000Z; only these are ever pruned.
DAILY_NAME = re.compile(r"^moderation-\d{8}T\d{6}Z$")


class BackupError(Exception):
    """A backup, verify or restore refused or failed; the message says why, in one line."""


@dataclass(frozen=True)
class Verified:
    manifest: dict[str, Any]
    data: Path


# --- URLs and tools --------------------------------------------------------------------

def _backend(url: URL) -> str:
    return "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"


def libpq_url(url: str | URL) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq URI without the password, and the environment that
    carries it (PGPASSWORD): a password on a command line is visible to every local user."""
    url = make_url(url) if isinstance(url, str) else url
    env = {"PGPASSWORD": url.password} if url.password else {}
    # Built anew: URL.set(password=None) keeps the password.
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=url.query)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools "
                          "of the server's major version (Debian: postgresql-client-N)")
    return path


def _major(version_text: str) -> int:
    """12 in "pg_dump (PostgreSQL) 12.4 (Debian ...)" or "PostgreSQL 12.4"."""
    match = re.search(r"(\d+)(?:\.\d+)?", version_text.split("(PostgreSQL)")[-1])
    if match is None:
        raise BackupError(f"cannot read a version in {version_text!r}")
    return int(match[1])


def _tool_version(path: str) -> str:
    return subprocess.run([path, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout.strip()


def _run_pg_tool(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env})
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {tool_error(result.stderr)}")
    return result


def tool_error(stderr: str) -> str:
    """The error line of a pg_* tool, fit for a log: its DETAIL, CONTEXT and "Command was"
    lines can quote a row (a duplicate key's value, a COPY line), so only the error line is
    kept, cut before a quoted key or at 300 characters."""
    errors = [line for line in stderr.splitlines() if re.match(r"^pg_\w+: (error|fatal):", line)]
    line = errors[0] if errors else "see the tool's output"
    return line.split("Key (")[0].split("DETAIL:")[0].strip()[:300]


def _own_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moderation")
    except PackageNotFoundError:
        return "unknown"


# --- files -----------------------------------------------------------------------------

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path, content: str) -> None:
    # Readable by this account only, whatever the umask.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "w") as stream:
        stream.write(content)


def _counts(connection, tables: list[str]) -> dict[str, int]:
    preparer = connection.dialect.identifier_preparer
    return {table: connection.execute(text(f"SELECT count(*) FROM {preparer.quote(table)}")).scalar_one()
            for table in sorted(tables)}


def _revision(connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


# --- backup ----------------------------------------------------------------------------

def backup(url: str, path: str | Path, now: datetime) -> dict[str, Any]:
    """Copy the database at ``url`` into the new directory ``path``; returns the manifest."""
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} exists already: a backup goes into a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))  # 0700
    try:
        parsed = make_url(url)
        if _backend(parsed) == "sqlite":
            manifest = _backup_sqlite(parsed, work)
        else:
            manifest = _backup_postgres(parsed, work)
        manifest = {"format": FORMAT, "created_at": now.isoformat(), **manifest}
        manifest["tools"]["moderation"] = _own_version()
        _private_file(work / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log.info("backup written to %s: %s, revision %s, %d rows", target, manifest["backend"],
             manifest["revision"], sum(manifest["counts"].values()))
    return manifest


def _backup_sqlite(url: URL, work: Path) -> dict[str, Any]:
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupError(f"no SQLite database at {source_path!r}")
    data = work / SQLITE_FILE
    os.close(os.open(data, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # The online backup API in one step (pages=-1): one read transaction, so one consistent
    # snapshot; in WAL mode writers go on meanwhile.
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    destination = sqlite3.connect(data)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    engine = create_engine(f"sqlite:///{data}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=DELETE")  # one self-contained file
            tables = inspect(connection).get_table_names()
            counts, revision = _counts(connection, tables), _revision(connection)
    finally:
        engine.dispose()
    return {"backend": "sqlite", "revision": revision, "counts": counts, "file": SQLITE_FILE,
            "sha256": sha256(data), "tools": {"sqlite": sqlite3.sqlite_version}}


def _server_major(connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def check_pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version of ``name``, refused when missing or of another major version."""
    path = _tool(name)
    version = _tool_version(path)
    if _major(version) != server_major:
        raise BackupError(f"{name} is version {version!r} but the server's major version is {server_major}: "
                          f"install the client of the same major version (Debian: postgresql-client-{server_major})")
    return path, version


def _backup_postgres(url: URL, work: Path) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            server_major = _server_major(connection)
            server_version = connection.execute(text("SHOW server_version")).scalar_one()
        pg_dump, version = check_pg_tool("pg_dump", server_major)
        # Counts, revision and pg_dump see the same snapshot (pg_dump --snapshot), exported by
        # this transaction and valid while it stays open.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                tables = inspect(connection).get_table_names()
                counts, revision = _counts(connection, tables), _revision(connection)
                data = work / PG_FILE
                os.close(os.open(data, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                dsn, env = libpq_url(url)
                _run_pg_tool([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                              f"--file={data}", f"--dbname={dsn}"], env, "pg_dump")
    finally:
        engine.dispose()
    return {"backend": "postgresql", "revision": revision, "counts": counts, "file": PG_FILE,
            "sha256": sha256(data), "tools": {"pg_dump": version, "server": server_version}}


# --- verify ----------------------------------------------------------------------------

def read_manifest(path: str | Path) -> tuple[dict[str, Any], Path]:
    directory = Path(path)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{directory}: no {MANIFEST}, not a backup") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory / MANIFEST}: unreadable ({type(exc).__name__})") from None
    required = {"format", "backend", "revision", "counts", "file", "sha256", "created_at"}
    if not isinstance(manifest, dict) or not required <= manifest.keys():
        raise BackupError(f"{directory / MANIFEST}: incomplete, lacks {sorted(required - set(manifest or ()))}")
    if manifest["file"] not in (SQLITE_FILE, PG_FILE) or not isinstance(manifest["counts"], dict):
        raise BackupError(f"{directory / MANIFEST}: not a manifest of this service")
    return manifest, directory / manifest["file"]


def verify(path: str | Path) -> Verified:
    """Check the manifest, the checksum and that the data can be read; BackupError if not."""
    manifest, data = read_manifest(path)
    if not data.exists():
        raise BackupError(f"{data} is missing")
    if sha256(data) != manifest["sha256"]:
        raise BackupError(f"{data}: checksum mismatch, the file is corrupted or was changed")
    if manifest["backend"] == "sqlite":
        _verify_sqlite(data, manifest)
    else:
        _run_pg_tool([_tool("pg_restore"), "--list", str(data)], {}, "pg_restore --list")
    return Verified(manifest, data)


def _verify_sqlite(data: Path, manifest: dict[str, Any]) -> None:
    # On a copy: opening the file must not change the backup (its checksum).
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / SQLITE_FILE
        shutil.copyfile(data, copy)
        try:
            connection = sqlite3.connect(copy)
            try:
                result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
                counts = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                          for table in manifest["counts"]}
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{data}: not a readable SQLite database ({exc})") from None
    if result != ["ok"]:
        raise BackupError(f"{data}: integrity check failed: {'; '.join(result[:3])}")
    if counts != manifest["counts"]:
        raise BackupError(f"{data}: counts differ from the manifest")


# --- restore ---------------------------------------------------------------------------

# What `moderation db upgrade` (or a service started on a new database) writes by itself: the
# schema revision, singleton state rows (0006, 0010) and generated keys (0008). They hold no
# reader's, moderator's or site's data, so a database with only these is empty.
SEEDED_TABLES = frozenset({"alembic_version", "webhook_fanout", "quiet_hours_state", "console_secrets"})


def _rows_found(engine: Engine) -> dict[str, int]:
    """Tables of the target that hold data: what makes it non-empty."""
    with engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t not in SEEDED_TABLES]
        return {table: count for table, count in _counts(connection, tables).items() if count}


def restore(url: str, path: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Restore the backup at ``path`` into the database at ``url`` (stopped service), then
    upgrade its schema to this code's head. Returns the manifest."""
    checked = verify(path)
    manifest = checked.manifest
    parsed = make_url(url)
    if manifest["backend"] != _backend(parsed):
        raise BackupError(f"a {manifest['backend']} backup cannot be restored into {_backend(parsed)}")
    revision = manifest["revision"]
    if revision is not None and not _known_revision(revision):
        raise BackupError(f"the backup's schema revision {revision!r} is newer than this code's "
                          f"({migrate.head_revision()}): restore it with the release that made it")
    engine = create_engine(parsed)
    try:
        found = _rows_found(engine)
        if found and not force:
            listed = ", ".join(f"{table} ({count})" for table, count in sorted(found.items()))
            raise BackupError(f"the database is not empty: rows in {listed}; "
                              "restore into an empty database, or pass --force to replace it")
        if manifest["backend"] == "sqlite":
            engine.dispose()
            _restore_sqlite(parsed, checked.data)
        else:
            _restore_postgres(engine, parsed, checked.data)
        counts = _counts_of(engine, manifest["counts"])
        if counts != manifest["counts"]:
            differ = sorted(t for t in manifest["counts"] if counts.get(t) != manifest["counts"][t])
            raise BackupError(f"restored counts differ from the manifest in {', '.join(differ)}")
        if revision != migrate.head_revision():
            migrate.upgrade(engine)
    finally:
        engine.dispose()
    log.info("restored %s (revision %s, %d rows), schema now at %s", path, revision,
             sum(manifest["counts"].values()), migrate.head_revision())
    return manifest


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _counts_of(engine: Engine, expected: dict[str, int]) -> dict[str, int]:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return _counts(connection, [t for t in expected if t in present])


def _restore_sqlite(url: URL, data: Path) -> None:
    target = url.database
    if not target or target == ":memory:":
        raise BackupError("restore needs an SQLite file, not an in-memory database")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    if not Path(target).exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        # Replaces every page of the target, whatever it held (the --force case too).
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
    finally:
        destination.close()
        source.close()


def _restore_postgres(engine: Engine, url: URL, data: Path) -> None:
    with engine.connect() as connection:
        server_major = _server_major(connection)
    pg_restore, _ = check_pg_tool("pg_restore", server_major)
    # Empty, or replaced with --force: the schema goes, with tables, functions and triggers
    # that the dump recreates (as the test fixture does).
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    dsn, env = libpq_url(url)
    _run_pg_tool([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                  f"--dbname={dsn}", str(data)], env, "pg_restore")


# --- the daily job ---------------------------------------------------------------------

def daily(url: str, directory: str | Path, keep: int, now: datetime) -> tuple[Path, list[Path]]:
    """One backup named after ``now`` in ``directory``, then only the ``keep`` newest daily
    backups are kept. Returns the new backup and the removed ones."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = root / f"moderation-{now.strftime('%Y%m%dT%H%M%SZ')}"
    backup(url, target, now)
    ours = sorted((p for p in root.iterdir() if p.is_dir() and DAILY_NAME.match(p.name)), key=lambda p: p.name)
    removed = ours[:-keep] if keep > 0 else []
    for old in removed:
        shutil.rmtree(old)
    return target, removed
