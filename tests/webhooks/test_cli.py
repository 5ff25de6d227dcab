"""`moderation webhooks add|list|disable|enable|rotate|test` on a SQLite file of its own."""
import sqlite3

import pytest

from tests.test_cli import run


@pytest.fixture
def env(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    return {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
            "MODERATION_SCORING__BACKEND": "none"}


def test_webhooks_commands(tmp_path, env):
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    added = run(["webhooks", "add", "https://www.example.ch/hooks", "--event", "comment.approved",
                 "--event", "thread.locked"], env, tmp_path)
    assert added.returncode == 0, added.stderr
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    listed = run(["webhooks", "list"], env, tmp_path)
    assert "1\thttps://www.example.ch/hooks\tcomment.approved,thread.locked\tactive" in listed.stdout
    assert secret not in listed.stdout and secret not in listed.stderr
    rotated = run(["webhooks", "rotate", "1"], env, tmp_path)
    assert rotated.returncode == 0 and rotated.stdout.strip().splitlines()[-1] not in (secret, "")
    assert "queued test event evt_" in run(["webhooks", "test", "1"], env, tmp_path).stdout
    disabled = run(["webhooks", "disable", "1", "--reason", "site moved"], env, tmp_path)
    assert "disabled (site moved)" in disabled.stdout
    assert "\tactive" in run(["webhooks", "enable", "1"], env, tmp_path).stdout
    everything = run(["webhooks", "add", "https://cache.example.ch/purge"], env, tmp_path)
    assert everything.returncode == 0 and "comment.approved, comment.rejected" in everything.stdout
    refused = run(["webhooks", "add", "http://127.0.0.1:8080/x"], env, tmp_path)
    assert refused.returncode == 1 and "url:" in refused.stderr and "loopback" in refused.stderr
    assert "Traceback" not in refused.stderr
    unknown = run(["webhooks", "add", "https://x.example/h", "--event", "comment.eaten"], env, tmp_path)
    assert unknown.returncode == 1 and "comment.eaten" in unknown.stderr
    missing = run(["webhooks", "disable", "99"], env, tmp_path)
    assert missing.returncode == 1 and "No webhook endpoint 99" in missing.stderr
    stored = sqlite3.connect(tmp_path / "cli.db").execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]
    assert stored == 1  # the test event, waiting for a worker


def test_the_worker_refuses_to_start_when_webhooks_are_off(tmp_path, env):
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    refused = run(["webhooks", "worker"], {**env, "MODERATION_WEBHOOKS__ENABLED": "false"}, tmp_path)
    assert refused.returncode == 2
    assert "webhooks are off" in refused.stderr and "Traceback" not in refused.stderr
