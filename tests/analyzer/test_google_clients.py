"""Google's own Perspective clients against a real server of ours (gunicorn, the tiny models),
built exactly as Perspective's documentation samples build them, with only the host changed:
google-api-python-client (``discovery.build(..., discoveryServiceUrl=...)``) and the npm
``googleapis`` package (``google.discoverAPI``, tools/google-node-client), and the README's
example as written."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from moderation.clock import SystemClock
from moderation.db import Database
from moderation.runtime import Runtime
from tests.analyzer.test_gunicorn import start, wait_until_analyzing
from tests.conftest import _empty_tables, base_settings
from tests.factories import make_key
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
NODE_CLIENT = ROOT / "tools" / "google-node-client"
FRENCH = "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête."
GERMAN = "Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel."
DETOXIFY = "detoxify-multilingual:detoxify.ckpt"


class Server:
    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.key = key
        self.discovery_url = f"{base}/$discovery/rest?version=v1alpha1"


@pytest.fixture(scope="module")
def server(database_url, engine, models_by_language, tmp_path_factory):
    """One server for the module: starting one loads the models, which takes a while."""
    _empty_tables(engine)
    settings = base_settings(database_url)
    runtime = Runtime(settings, clock=SystemClock(), database=Database(settings.database, engine))
    key = make_key(runtime, "analyzer")
    tmp_path = tmp_path_factory.mktemp("google-clients")
    port = free_port()
    process = start(database_url, port, tmp_path, models_by_language)
    try:
        wait_until_analyzing(f"http://127.0.0.1:{port}", key, tmp_path)
        yield Server(f"http://127.0.0.1:{port}", key)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        _empty_tables(engine)


def python_client(server: Server, key: str | None = "default"):
    # Perspective's Python sample, with only the host changed.
    return discovery.build("commentanalyzer", "v1alpha1", developerKey=server.key if key == "default" else key,
                           discoveryServiceUrl=server.discovery_url, static_discovery=False)


def test_python_client_analyzes_with_every_documented_field(server):
    client = python_client(server)
    body = {"comment": {"text": FRENCH, "type": "PLAIN_TEXT"},
            "context": {"entries": [{"text": "Le budget de la ville.", "type": "PLAIN_TEXT"}]},
            "requestedAttributes": {"TOXICITY": {"scoreType": "PROBABILITY", "scoreThreshold": 0},
                                    # Every attribute multilingual Detoxify has (it has no SEXUALLY_EXPLICIT).
                                    "SEVERE_TOXICITY": {}, "IDENTITY_ATTACK": {}, "INSULT": {}, "PROFANITY": {},
                                    "THREAT": {}},
            "languages": ["fr"], "doNotStore": True, "clientToken": "token-1", "sessionId": "session-1",
            "communityId": "community-1", "spanAnnotations": False}
    answer = client.comments().analyze(body=body).execute()
    assert set(answer["attributeScores"]) == set(body["requestedAttributes"])
    for scores in answer["attributeScores"].values():
        assert scores["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= scores["summaryScore"]["value"] <= 1
    assert answer["languages"] == ["fr"] and answer["clientToken"] == "token-1" and answer["model"] == DETOXIFY

    # Perspective's own sample request: no language, detected.
    sample = client.comments().analyze(body={"comment": {"text": "friendly greetings from python"},
                                             "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert sample["detectedLanguages"] == ["en"]

    suggested = client.comments().suggestscore(body={
        "comment": {"text": GERMAN}, "languages": ["de"], "clientToken": "comment:42",
        "communityId": "Coral:https://www.example.ch",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}}}).execute()
    assert suggested["clientToken"] == "comment:42"


def test_python_client_batch_of_ten(server):
    client = python_client(server)
    answers = {}
    batch = client.new_batch_http_request(callback=lambda rid, answer, error: answers.__setitem__(rid, (answer,
                                                                                                        error)))
    texts = {}
    for n in range(10):
        texts[str(n + 1)] = (f"{FRENCH} ({n})", "fr") if n % 2 else (f"{GERMAN} ({n})", "de")
        text, language = texts[str(n + 1)]
        batch.add(client.comments().analyze(body={"comment": {"text": text}, "languages": [language],
                                                  "requestedAttributes": {"TOXICITY": {}}}))
    batch.execute()
    assert sorted(answers, key=int) == [str(n) for n in range(1, 11)]
    for rid, (answer, error) in answers.items():
        assert error is None, (rid, error)
        assert answer["languages"] == [texts[rid][1]]
        assert 0 <= answer["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1
    # The same text alone gets the same score as within the batch.
    alone = client.comments().analyze(body={"comment": {"text": texts["4"][0]}, "languages": ["fr"],
                                            "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert alone["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        answers["4"][0]["attributeScores"]["TOXICITY"]["summaryScore"]["value"], abs=1e-5)


def test_python_client_errors_are_http_errors_with_our_body(server):
    client = python_client(server)
    with pytest.raises(HttpError) as raised:
        client.comments().analyze(body={"comment": {"text": "  "}, "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert raised.value.status_code == 400
    assert raised.value.reason == "Comment must be non-empty."
    assert json.loads(raised.value.content)["error"]["status"] == "INVALID_ARGUMENT"
    with pytest.raises(HttpError) as raised:
        python_client(server, key=None).comments().analyze(
            body={"comment": {"text": FRENCH}, "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert raised.value.status_code == 403
    # In a batch, each part's error reaches its own callback.
    errors = {}
    batch = client.new_batch_http_request(callback=lambda rid, answer, error: errors.__setitem__(rid, error))
    batch.add(client.comments().analyze(body={"comment": {"text": FRENCH}, "requestedAttributes": {"TOXICITY": {}},
                                              "languages": ["fr"]}), request_id="good")
    batch.add(client.comments().analyze(body={"comment": {"text": FRENCH},
                                              "requestedAttributes": {"NOT_AN_ATTRIBUTE": {}}}), request_id="bad")
    batch.execute()
    assert errors["good"] is None
    assert errors["bad"].status_code == 400 and errors["bad"].reason == "Unknown requested attribute: NOT_AN_ATTRIBUTE"


@pytest.fixture(scope="module")
def node_client():
    if shutil.which("npm") is None or shutil.which("node") is None:
        if os.environ.get("MODERATION_REQUIRE_NODE"):
            pytest.fail("node and npm are required for Google's Node client (MODERATION_REQUIRE_NODE is set)")
        pytest.skip("node or npm is not installed")
    if not (NODE_CLIENT / "node_modules" / "googleapis").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_CLIENT, check=True, capture_output=True,
                       timeout=600)
    return NODE_CLIENT / "perspective.js"


def run_node(script, server: Server, method: str, request: dict, key: str | None = None) -> dict:
    result = subprocess.run(["node", str(script), server.discovery_url, key or server.key, method,
                             json.dumps(request)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_node_client_through_discover_api(server, node_client):
    # Perspective's Node sample request, and one of ours.
    sample = run_node(node_client, server, "analyze", {
        "comment": {"text": "Jiminy cricket! Well gosh durned it! Oh damn it all!"},
        "requestedAttributes": {"TOXICITY": {}}})
    assert sample["status"] == 200, sample
    assert 0 <= sample["data"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1
    answer = run_node(node_client, server, "analyze", {"comment": {"text": FRENCH}, "languages": ["fr"],
                                                       "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
                                                       "clientToken": "node"})
    assert answer["status"] == 200
    assert set(answer["data"]["attributeScores"]) == {"TOXICITY", "INSULT"}
    assert answer["data"]["clientToken"] == "node" and answer["data"]["model"] == DETOXIFY
    suggested = run_node(node_client, server, "suggestscore", {
        "comment": {"text": FRENCH}, "languages": ["fr"], "clientToken": "comment:node",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}})
    assert suggested == {"status": 200, "data": {"clientToken": "comment:node", "requestedLanguages": ["fr"]}}
    refused = run_node(node_client, server, "analyze", {"comment": {"text": ""},
                                                        "requestedAttributes": {"TOXICITY": {}}})
    assert refused["status"] == 400
    assert refused["data"]["error"]["message"] == "Comment must be non-empty."


def readme_example() -> str:
    """The Python example of README's "Replacing Perspective" section, as written there."""
    section = (ROOT / "README.md").read_text().split("## Replacing Perspective", 1)[1].split("\n## ", 1)[0]
    blocks = [block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "discovery.build" in block]
    assert len(blocks) == 1, "one Python example with google-api-python-client in the section"
    return blocks[0]


def test_the_readme_example_runs_as_written(server):
    example = readme_example()
    assert len([line for line in example.splitlines() if line.strip()]) <= 12
    # Only the host and the key are the reader's own.
    runnable, replaced = re.subn(r'^(HOST|KEY) = "[^"]*"', lambda m: f'{m.group(1)} = '
                                 f'{json.dumps(server.base if m.group(1) == "HOST" else server.key)}',
                                 example, flags=re.M)
    assert replaced == 2
    result = subprocess.run([sys.executable, "-c", runnable], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    # The single call's TOXICITY, then each of the batch's three answers (no error).
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and "Error" not in result.stdout, result.stdout
    for line in lines:
        value = float(re.search(r"'value': ([0-9.e-]+)", line).group(1))
        assert 0 <= value <= 1, line


def test_python_client_span_scores_in_utf16_units_and_every_error_type(server):
    """Span scores as Google's client reads them (UTF-16 offsets: an emoji counts 2), and each
    error type reaching it as HttpError with Perspective's details."""
    client = python_client(server)
    text = "Merci 🙂 pour cet article. Le budget est une honte !"
    answer = client.comments().analyze(body={"comment": {"text": text}, "languages": ["fr"],
                                             "requestedAttributes": {"TOXICITY": {}},
                                             "spanAnnotations": True}).execute()
    spans = answer["attributeScores"]["TOXICITY"]["spanScores"]
    units = len(text.encode("utf-16-le")) // 2
    assert units == len(text) + 1  # the emoji is two UTF-16 code units
    assert [span["begin"] for span in spans][0] == 0 and spans[-1]["end"] == units
    assert all(a["end"] == b["begin"] for a, b in zip(spans, spans[1:])) and len(spans) == 2
    assert all(span["score"]["type"] == "PROBABILITY" for span in spans)

    def error_type(body):
        with pytest.raises(HttpError) as raised:
            client.comments().analyze(body=body).execute()
        details = json.loads(raised.value.content)["error"].get("details", [])
        return raised.value.status_code, [d.get("errorType") for d in details if "errorType" in d]

    assert error_type({"comment": {"text": " "}, "requestedAttributes": {"TOXICITY": {}}}) == (400, ["COMMENT_EMPTY"])
    assert error_type({"comment": {"text": "x" * 20481}, "languages": ["fr"],
                       "requestedAttributes": {"TOXICITY": {}}}) == (400, ["COMMENT_TOO_LONG"])
    assert error_type({"comment": {"text": "Vielen Dank für den Artikel."}, "languages": ["de"],
                       "requestedAttributes": {"INSULT": {}}}) == (400, ["LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"])
    with pytest.raises(HttpError) as raised:
        python_client(server, key="mod_not_a_key").comments().analyze(
            body={"comment": {"text": FRENCH}, "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert raised.value.status_code == 400
    assert json.loads(raised.value.content)["error"]["details"][0]["reason"] == "API_KEY_INVALID"
