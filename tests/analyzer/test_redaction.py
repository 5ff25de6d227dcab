"""The API key in a Perspective query string never reaches a log."""
import logging

from moderation.analyzer.redact import KEY_ENVIRON, RedactQueryKey
from moderation.app import create_app
from moderation.logs import redact_query
from moderation.runtime import Runtime
from tests.factories import make_key


def test_redact_query_keeps_everything_but_the_key():
    assert redact_query("key=mod_secret") == ("key=REDACTED", "mod_secret")
    assert redact_query("alt=json&key=mod_a%2Bb&x=1") == ("alt=json&key=REDACTED&x=1", "mod_a+b")
    assert redact_query("%6Bey=mod_x") == ("%6Bey=REDACTED", "mod_x")  # an encoded name is the same parameter
    assert redact_query("monkey=1&keys=2") == ("monkey=1&keys=2", None)


def test_middleware_moves_the_key_out_of_what_servers_log():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    uri = "/v1alpha1/comments:analyze?key=mod_secret&alt=json"
    environ = {"QUERY_STRING": "key=mod_secret&alt=json", "RAW_URI": uri, "REQUEST_URI": uri}
    RedactQueryKey(app)(environ, lambda *a: None)
    assert seen[KEY_ENVIRON] == "mod_secret"
    assert seen["QUERY_STRING"] == "key=REDACTED&alt=json"
    assert seen["RAW_URI"] == seen["REQUEST_URI"] == "/v1alpha1/comments:analyze?key=REDACTED&alt=json"


class Broken:
    def analyze(self, texts, languages, timeout):
        raise RuntimeError("the model fell over")


def test_an_unexpected_error_is_logged_without_the_key(analyzer_runtime, caplog):
    runtime = Runtime(analyzer_runtime.settings, clock=analyzer_runtime.clock, database=analyzer_runtime.db)
    runtime.analyzer = Broken()
    key = make_key(runtime, "analyzer")
    client = create_app(runtime=runtime).test_client()
    caplog.set_level(logging.DEBUG)
    response = client.post(f"/v1alpha1/comments:analyze?key={key}", json={
        "comment": {"text": "Un commentaire qui ne doit pas être journalisé."},
        "requestedAttributes": {"TOXICITY": {}}, "languages": ["fr"]})
    assert response.status_code == 500
    assert response.json == {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}
    assert "unhandled error on POST /v1alpha1/comments:analyze" in caplog.text
    assert key not in caplog.text and "journalisé" not in caplog.text

