"""The API contract, checked from outside as a site's developers would: schemathesis (4.x)
against a real server's /api/v1/openapi.json, with every check and every phase (examples,
coverage, fuzzing, stateful), 100 examples per operation, seeded, on SQLite and PostgreSQL.
Zero failures: the document states what the server enforces, and the server keeps every
promise the document makes.

tests/contract/hooks.py tells the fuzzer how the values it cannot derive from JSON Schema are
made (cursors, and which Idempotency-Key goes with which request); schemathesis.toml adds
gunicorn's own 414 and 431 to the statuses that reject invalid data.
"""
import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.factories import make_article, make_comment, make_key
from tests.servers import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "100")


def test_every_check_and_phase_passes(committed_runtime, settings, tmp_path):
    runtime = committed_runtime
    key = make_key(runtime, "admin", "fuzzer")
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, status="approved")
    make_comment(runtime, article)
    port = free_port()
    # Rate limits off (a fuzzer is one very busy caller); webhook deliveries stay queued.
    server = start_server(settings.database.url, port, tmp_path, MODERATION_WEBHOOKS__RUN_WORKER="false")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=30).status_code == 200
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
             "-H", f"Authorization: Bearer {key}", "--checks", "all",
             "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", EXAMPLES, "--seed", "20261127",
             "--no-color", "--workers", "1"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.contract.hooks"},
            capture_output=True, text=True, timeout=1500)
    finally:
        stop_server(server)
    report = result.stdout + result.stderr
    summary = [line for line in report.splitlines() if "generated" in line or "Selected" in line]
    print("\n".join(summary))
    assert result.returncode == 0, report[-8000:]
    assert "failures" not in report.splitlines()[-1] and " passed" in "\n".join(summary), report[-3000:]
