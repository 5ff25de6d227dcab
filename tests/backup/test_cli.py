"""`moderation db backup|verify|restore` as ops run them: exit status and one line, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.backup.helpers import fresh_database, rows


def run(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def environment(url, path="/usr/bin:/bin"):
    # PYTHONPATH: this checkout's code, whichever the environment has installed.
    return {"PATH": path, "MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "none",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2])}


def test_backup_verify_and_restore_from_the_command_line(backend, database_url, tmp_path):
    source = environment(fresh_database(backend, database_url, tmp_path, "cli"))
    assert run(["db", "upgrade"], source, tmp_path).returncode == 0
    assert run(["keys", "create", "--role", "frontend", "--name", "site"], source, tmp_path).returncode == 0

    made = run(["db", "backup", "nightly"], source, tmp_path)
    assert made.returncode == 0, made.stderr
    assert "backup written to nightly" in made.stdout
    checked = run(["db", "verify", "nightly"], source, tmp_path)
    assert checked.returncode == 0 and "is sound" in checked.stdout, checked.stderr
    again = run(["db", "backup", "nightly"], source, tmp_path)
    assert again.returncode == 1 and "exists already" in again.stderr and "Traceback" not in again.stderr

    refused = run(["db", "restore", "nightly"], source, tmp_path)
    assert refused.returncode == 1 and "not empty: rows in api_keys (1)" in refused.stderr, refused.stderr
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert run(["db", "restore", "nightly", "--force"], source, tmp_path).returncode == 0

    target_url = fresh_database(backend, database_url, tmp_path, "cli_restored")
    restored = run(["db", "restore", "nightly"], environment(target_url), tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert rows(target_url, "SELECT name FROM api_keys") == [("site",)]

    data = next(p for p in (tmp_path / "nightly").iterdir() if p.name.startswith("database."))
    content = bytearray(data.read_bytes())
    content[len(content) // 2] ^= 0xFF
    data.write_bytes(bytes(content))
    corrupted = run(["db", "verify", "nightly"], source, tmp_path)
    assert corrupted.returncode == 1 and "checksum mismatch" in corrupted.stderr
    assert "Traceback" not in corrupted.stderr


def test_pg_dump_missing_from_the_path_is_refused_in_one_line(backend, database_url, engine, tmp_path):
    if backend == "sqlite":
        # SQLite needs no external tool: the same PATH makes a backup.
        made = run(["db", "backup", "b"], environment(database_url, path=str(tmp_path)), tmp_path)
        assert made.returncode == 0, made.stderr
        return
    refused = run(["db", "backup", "b"], environment(database_url, path=str(tmp_path)), tmp_path)
    assert refused.returncode == 1, refused.stderr
    assert "pg_dump not found on PATH" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "b").exists()
