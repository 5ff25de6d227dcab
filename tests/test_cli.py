import subprocess
import sys

import pytest


def run(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def env(tmp_path, backend, database_url):
    # The CLI works on its own database: a fresh SQLite file (PostgreSQL is covered by the suite's engine).
    return {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
            "MODERATION_SCORING__BACKEND": "none"}


def test_db_upgrade_keys_lifecycle(tmp_path, env, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    created = run(["keys", "create", "--role", "frontend", "--name", "site"], env, tmp_path)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("mod_") and " " not in key
    analyzer = run(["keys", "create", "--role", "analyzer", "--name", "coral"], env, tmp_path)
    assert analyzer.returncode == 0, analyzer.stderr
    listed = run(["keys", "list"], env, tmp_path)
    assert "site\tfrontend\tactive" in listed.stdout and "coral\tanalyzer\tactive" in listed.stdout
    assert key not in listed.stdout
    duplicate = run(["keys", "create", "--role", "frontend", "--name", "site"], env, tmp_path)
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    assert run(["keys", "revoke", "site"], env, tmp_path).returncode == 0
    assert "revoked" in run(["keys", "list"], env, tmp_path).stdout
    unknown = run(["keys", "revoke", "nobody"], env, tmp_path)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    # The database holds only the hash.
    import sqlite3

    stored = sqlite3.connect(tmp_path / "cli.db").execute("SELECT key_hash FROM api_keys").fetchone()[0]
    assert key not in stored and len(stored) == 64


def test_default_sqlite_file_lands_under_instance(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once")
    result = run(["db", "upgrade"], {"PATH": "/usr/bin:/bin", "MODERATION_SCORING__BACKEND": "none"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "moderation.db").exists()
