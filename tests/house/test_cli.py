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


def test_model_evaluate_prints_one_json_object_per_model_and_language(tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once, on its own SQLite file")
    import json

    env = {"PATH": "/usr/bin:/bin", "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/cli.db",
           # The fake transformer covers fr (and not de): both models are measured where they cover.
           "MODERATION_SCORING__BACKEND": "fake",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def write(name, rows):
        with open(tmp_path / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label", "language"])
            writer.writerows(rows)

    write("labels.csv", generated(120))
    # Perfect separation for the house model: the rude words it learnt, and only those.
    write("check.csv", [(f"heute {word} {n}", 1, "de") for n, word in enumerate(["idiot", "trottel"] * 5)]
          + [(f"heute {word} {n}", 0, "de") for n, word in enumerate(["danke", "bericht"] * 5)]
          + [("quel idiot", 1, "fr"), ("merci pour l'article", 0, "fr")])
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run(["labels", "import", str(tmp_path / "labels.csv")], env, tmp_path).returncode == 0
    assert run(["house-model", "train"], env, tmp_path).returncode == 0
    evaluated = run(["model", "evaluate", str(tmp_path / "check.csv"), "--json"], env, tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    document = json.loads(evaluated.stdout)  # exactly one JSON object: nothing else on stdout
    assert set(document) == {"results"}
    by_key = {(r["model"], r["language"]): r for r in document["results"]}
    assert set(by_key) == {("house-v1", "de"), ("house-v1", "fr"), ("fake", "fr")}
    house_de = by_key["house-v1", "de"]
    assert set(house_de) == {"model", "language", "n", "roc_auc", "average_precision", "f1_macro"}
    assert house_de["n"] == 20 and house_de["roc_auc"] == 1.0
    assert house_de["average_precision"] == pytest.approx(1.0) and 0 <= house_de["f1_macro"] <= 1
    assert by_key["fake", "fr"]["roc_auc"] == 1.0  # "idiot" is one of the fake scorer's words
    table = run(["model", "evaluate", str(tmp_path / "check.csv")], env, tmp_path)
    assert "house-v1" in table.stdout and "ROC AUC" in table.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label,language\nok,2,de\n", encoding="utf-8")
    refused = run(["model", "evaluate", str(bad)], env, tmp_path)
    assert refused.returncode == 1 and "line 2" in refused.stderr and "Traceback" not in refused.stderr
