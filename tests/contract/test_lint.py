"""The served OpenAPI document lints clean with Redocly CLI's recommended rules: no error and
no warning. Redocly comes from the npm registry, pinned in tools/openapi-lint (package-lock)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "openapi-lint"


@pytest.fixture(scope="module")
def redocly():
    if shutil.which("npm") is None:
        if os.environ.get("MODERATION_REQUIRE_NODE"):
            pytest.fail("npm is required to lint the OpenAPI document (MODERATION_REQUIRE_NODE is set)")
        pytest.skip("npm is not installed")
    binary = TOOL / "node_modules" / ".bin" / "redocly"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=True, capture_output=True,
                       timeout=600)
    return binary


def test_the_document_lints_clean(client, redocly, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the document does not depend on the database")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(client.get("/api/v1/openapi.json").json))
    result = subprocess.run([str(redocly), "lint", str(document), "--config", str(TOOL / "redocly.yaml"),
                             "--format=json"], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    problems = [(p["severity"], p["ruleId"], p["location"][0]["pointer"]) for p in report["problems"]]
    assert problems == [] and result.returncode == 0, problems
