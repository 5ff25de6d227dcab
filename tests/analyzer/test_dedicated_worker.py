"""`moderation worker` (a dedicated scoring process) serves the machine's analyze requests:
web processes without a scorer of their own hand theirs over the local socket."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from moderation.app import create_app
from moderation.db import Database
from moderation.runtime import Runtime
from tests.factories import make_key

BODY = {"comment": {"text": "Vielen Dank für den Artikel über die Abstimmung."}, "languages": ["de"],
        "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True}


def test_web_process_forwards_to_the_dedicated_worker(settings, engine, committed_runtime, tmp_path,
                                                      models_by_language, loaded_router):
    # The worker's socket in the runtime directory both processes are given.
    run = str(tmp_path / "run")
    settings = settings.replace(scoring={"backend": "detoxify", "models": models_by_language},
                                analyzer={"deadline_seconds": 20.0}, server={"runtime_dir": run})
    runtime = Runtime(settings, clock=committed_runtime.clock, database=Database(settings.database, engine))
    client = create_app(runtime=runtime).test_client()  # no background: no model in this process
    key = make_key(runtime, "analyzer")
    assert client.post(f"/v1alpha1/comments:analyze?key={key}", json=BODY).status_code == 503

    env = {**os.environ, "MODERATION_DATABASE__URL": settings.database.url, "MODERATION_SCORING__BACKEND": "detoxify",
           "MODERATION_SCORING__MODELS": json.dumps(models_by_language),
           "MODERATION_SERVER__RUNTIME_DIR": run, "MODERATION_SCORING__LANGUAGES": '["fr", "de", "it", "en"]'}
    worker = subprocess.Popen([sys.executable, "-m", "moderation.cli", "worker"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "wb"),
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            response = client.post(f"/v1alpha1/comments:analyze?key={key}", json=BODY)
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.json
            time.sleep(0.3)
        assert response.status_code == 200, (tmp_path / "worker.log").read_text()[-2000:]
        assert response.json["model"] == "transformers:german-toxic"
        assert response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
            loaded_router.route([BODY["comment"]["text"]], ["de"])[0].scores["toxicity"], abs=1e-6)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    gone = client.post(f"/v1alpha1/comments:analyze?key={key}", json=BODY)
    assert gone.status_code == 503 and gone.json["error"]["status"] == "UNAVAILABLE"
