"""Backups on SQLite and PostgreSQL: a consistent copy during intake, verify, restore and its refusals."""
from __future__ import annotations

import json
import os
import stat
import threading
import time
from datetime import timedelta

import pytest

from moderation import migrate
from moderation.app import create_app
from moderation.backup import service
from moderation.backup.service import BackupError
from moderation.clock import FrozenClock
from moderation.db import make_engine
from moderation.runtime import Runtime
from tests.backup.helpers import fresh_database, rows
from tests.conftest import T0, base_settings
from tests.factories import make_article, make_comment


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_backup_taken_during_intake_restores_every_acknowledged_comment(
        committed_runtime, settings, backend, database_url, tmp_path):
    runtime = committed_runtime
    article = make_article(runtime)
    shown = make_comment(runtime, article, status="approved", body="Un avis publié avant la sauvegarde.")
    acknowledged: list[int] = []
    stop, failures = threading.Event(), []

    def intake():
        try:
            while not stop.is_set():
                acknowledged.append(make_comment(runtime, article).id)  # returned: committed
        except Exception as exc:  # the test fails below, with the reason
            failures.append(exc)

    writer = threading.Thread(target=intake, daemon=True)
    writer.start()
    try:
        assert wait_for(lambda: len(acknowledged) >= 10 or failures)
        before = list(acknowledged)
        manifest = service.backup(database_url, tmp_path / "backup", T0)
        during = len(acknowledged) - len(before)
        assert wait_for(lambda: len(acknowledged) > len(before) + during + 2 or failures)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failures

    # The manifest and the files.
    backup = tmp_path / "backup"
    assert manifest["backend"] == ("sqlite" if backend == "sqlite" else "postgresql")
    assert manifest["revision"] == migrate.head_revision() and manifest["created_at"] == T0.isoformat()
    assert manifest["counts"]["comments"] >= len(before) + 1
    assert json.loads((backup / "manifest.json").read_text()) == manifest
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o700
    for name in os.listdir(backup):
        assert stat.S_IMODE(os.stat(backup / name).st_mode) == 0o600, name
    assert service.verify(backup).manifest == manifest

    # Restored into a new database: every comment acknowledged before the backup, the counts.
    target = fresh_database(backend, database_url, tmp_path, "restore")
    service.restore(target, backup)
    restored_ids = {row[0] for row in rows(target, "SELECT id FROM comments")}
    assert set(before) | {shown.id} <= restored_ids
    for table, count in manifest["counts"].items():
        assert rows(target, f'SELECT count(*) FROM "{table}"')[0][0] == count, table

    # The restored service starts and serves the thread.
    restored = Runtime(base_settings(target), clock=FrozenClock(T0 + timedelta(minutes=1)))
    try:
        response = create_app(runtime=restored).test_client().get(f"/api/v1/articles/{article}/comments")
        assert response.status_code == 200
        assert shown.id in [comment["id"] for comment in response.get_json()["comments"]]
        posted = make_comment(restored, article)
        assert posted.id not in restored_ids
    finally:
        restored.db.dispose()


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(committed_runtime, backend, database_url,
                                                                     tmp_path):
    runtime = committed_runtime
    article = make_article(runtime)
    make_comment(runtime, article)
    service.backup(database_url, tmp_path / "backup", T0)
    with pytest.raises(BackupError, match=r"not empty: rows in .*comments \(1\).*--force"):
        service.restore(database_url, tmp_path / "backup")

    target = fresh_database(backend, database_url, tmp_path, "forced")
    other = Runtime(base_settings(target), clock=runtime.clock)
    try:
        migrate.upgrade(other.db.engine)  # a migrated but empty database is empty
        service.restore(target, tmp_path / "backup")
        make_comment(other, make_article(other))
    finally:
        other.db.dispose()
    with pytest.raises(BackupError, match="not empty"):
        service.restore(target, tmp_path / "backup")
    service.restore(target, tmp_path / "backup", force=True)
    assert rows(target, "SELECT count(*) FROM comments")[0][0] == 1
    assert rows(target, "SELECT count(*) FROM articles")[0][0] == 1


def test_restore_refuses_a_backup_newer_than_the_code(committed_runtime, backend, database_url, tmp_path):
    service.backup(database_url, tmp_path / "backup", T0)
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["revision"] = "0099_from_the_future"
    manifest_path.write_text(json.dumps(manifest))
    target = fresh_database(backend, database_url, tmp_path, "newer")
    with pytest.raises(BackupError, match="newer than this code"):
        service.restore(target, tmp_path / "backup")
    assert rows(target, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'comments'"
                if backend != "sqlite" else "SELECT count(*) FROM sqlite_master WHERE name = 'comments'")[0][0] == 0


def test_restore_upgrades_an_older_schema_to_this_codes_head(backend, database_url, tmp_path):
    old_url = fresh_database(backend, database_url, tmp_path, "old")
    old = make_engine(base_settings(old_url).database)
    try:
        migrate.upgrade(old, "0012_house_models")
    finally:
        old.dispose()
    manifest = service.backup(old_url, tmp_path / "backup", T0)
    assert manifest["revision"] == "0012_house_models"
    target = fresh_database(backend, database_url, tmp_path, "upgraded")
    service.restore(target, tmp_path / "backup")
    engine = make_engine(base_settings(target).database)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision() != "0012_house_models"
    finally:
        engine.dispose()


def test_verify_catches_a_flipped_byte(committed_runtime, database_url, tmp_path):
    runtime = committed_runtime
    make_comment(runtime, make_article(runtime))
    manifest = service.backup(database_url, tmp_path / "backup", T0)
    data = tmp_path / "backup" / manifest["file"]
    content = bytearray(data.read_bytes())
    content[len(content) // 2] ^= 0x01
    data.write_bytes(bytes(content))
    with pytest.raises(BackupError, match="checksum mismatch"):
        service.verify(tmp_path / "backup")
    with pytest.raises(BackupError, match="checksum mismatch"):
        service.restore(fresh_database("sqlite", database_url, tmp_path, "never"), tmp_path / "backup")


def test_verify_catches_a_corrupted_file_whose_checksum_was_updated(committed_runtime, backend, database_url,
                                                                     tmp_path):
    """The second line of defence: the data itself must read back (integrity_check, pg_restore --list)."""
    service.backup(database_url, tmp_path / "backup", T0)
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    data = tmp_path / "backup" / manifest["file"]
    data.write_bytes(data.read_bytes()[:200])  # truncated
    manifest["sha256"] = service.sha256(data)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError):
        service.verify(tmp_path / "backup")


def test_a_backup_never_overwrites_a_path(committed_runtime, database_url, tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(BackupError, match="exists already"):
        service.backup(database_url, tmp_path / "taken", T0)
    assert os.listdir(tmp_path) == ["taken"]  # no .partial directory left behind


def test_pg_dump_missing_is_refused_clearly(backend, database_url, tmp_path, monkeypatch):
    if backend == "sqlite":
        pytest.skip("pg_dump is PostgreSQL's")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump not found on PATH.*postgresql-client-"):
        service.backup(database_url, tmp_path / "backup", T0)
    assert not (tmp_path / "backup").exists()


def test_a_pg_dump_of_another_major_version_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1 (Debian 99.1-1)'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"99\.1.*server's major version is 15.*postgresql-client-15"):
        service.check_pg_tool("pg_dump", 15)
    path, version = service.check_pg_tool("pg_dump", 99)
    assert path == str(fake) and "99.1" in version


def test_the_password_goes_through_the_environment_never_the_command_line():
    dsn, env = service.libpq_url("postgresql+psycopg://mod:s3cret@db.example:5433/moderation?sslmode=require")
    assert "s3cret" not in dsn and dsn.startswith("postgresql://mod@db.example:5433/moderation")
    assert "sslmode=require" in dsn and env == {"PGPASSWORD": "s3cret"}
    assert service.libpq_url("postgresql+psycopg://mod@db/moderation") == ("postgresql://mod@db/moderation", {})


def test_a_tool_error_never_carries_a_row_into_the_message():
    stderr = ("pg_restore: error: could not execute query: ERROR:  duplicate key value violates unique "
              "constraint \"comments_pkey\" DETAIL:  Key (author_name)=(Jeanne Lectrice) already exists.\n"
              "Command was: COPY public.comments (id, body) FROM stdin;\n"
              "12\tMon commentaire personnel\n")
    message = service.tool_error(stderr)
    assert message.startswith("pg_restore: error: could not execute query")
    assert "Jeanne" not in message and "commentaire" not in message
    assert service.tool_error("garbage\n") == "see the tool's output"


def test_a_backup_with_a_pg_dump_of_another_major_version_is_refused(backend, database_url, tmp_path, monkeypatch):
    if backend == "sqlite":
        pytest.skip("pg_dump is PostgreSQL's")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(BackupError, match=r"9\.6\.24.*server's major version is \d+"):
        service.backup(database_url, tmp_path / "backup", T0)
    assert sorted(os.listdir(tmp_path)) == ["bin"]  # nothing half-written left behind
