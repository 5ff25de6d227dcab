"""`moderation house-model train|list|promote VERSION|rollback` on a SQLite file."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from tests.house.conftest import generated


def run(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "moderation.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_train_list_promote_rollback(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           "MODERATION_SCORING__BACKEND": "none",
           # This checkout's code, wherever the environment's editable install points.
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    with open(tmp_path / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "language"])
        writer.writerows(generated(120))
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run(["labels", "import", str(tmp_path / "labels.csv")], env, tmp_path).returncode == 0
    first = run(["house-model", "train"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "trained house-v1" in first.stdout and "promoted: first model" in first.stdout
    second = run(["house-model", "train"], env, tmp_path)
    assert "not promoted" in second.stdout  # the same labels: not better
    listed = run(["house-model", "list"], env, tmp_path).stdout.splitlines()
    assert listed[0].startswith("house-v2\tcandidate") and listed[1].startswith("house-v1\tcurrent")
    assert run(["house-model", "promote", "2"], env, tmp_path).stdout.strip() == "house-v2 is now the current model"
    rolled = run(["house-model", "rollback"], env, tmp_path)
    assert rolled.stdout.strip() == "rolled back: house-v1 is now the current model"
    again = run(["house-model", "rollback"], env, tmp_path)
    assert again.returncode == 1 and "no previous model" in again.stderr and "Traceback" not in again.stderr
    unknown = run(["house-model", "promote", "9"], env, tmp_path)
    assert unknown.returncode == 1 and "No house model version 9" in unknown.stderr
