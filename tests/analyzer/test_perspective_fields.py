"""What Perspective's other clients send and read (Google's client libraries, HELM, modelgauge):
error details. Scored by the tiny generated models, as in test_perspective.py."""
import pytest

from moderation.app import create_app
from tests.analyzer.test_perspective import ANALYZE, DETOXIFY, FRENCH, GERMAN, SUGGEST, coral_suggest
from tests.factories import make_key

ANALYZER_ERROR = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def analyze(client, key, text, languages=("fr",), attributes=("TOXICITY",), **fields):
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes}, **fields}
    if languages is not None:
        body["languages"] = list(languages)
    return client.post(f"{ANALYZE}?key={key}", json=body)


# -- errors as Perspective gives them --------------------------------------------------------------

def _analyzer_detail(error_type, **extra):
    return [{"@type": ANALYZER_ERROR, "errorType": error_type, **extra}]


@pytest.mark.parametrize("body,message,details", [
    ({"comment": {"text": " \n"}, "requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.",
     _analyzer_detail("COMMENT_EMPTY")),
    ({"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.", _analyzer_detail("COMMENT_EMPTY")),
    ({"comment": {"text": "é" * 10241}, "languages": ["fr"], "requestedAttributes": {"TOXICITY": {}}},
     "Comment text was too many bytes (at most 20480).", _analyzer_detail("COMMENT_TOO_LONG")),
    ({"comment": {"text": "Dank je wel."}, "languages": ["nl"], "requestedAttributes": {"TOXICITY": {}}},
     "Attribute TOXICITY does not support request languages: nl",
     _analyzer_detail("LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                      languageNotSupportedByAttributeError={"detectedLanguages": ["nl"], "attribute": "TOXICITY"})),
    ({"comment": {"text": GERMAN}, "languages": ["de"], "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}},
     "Attribute INSULT does not support request languages: de",
     _analyzer_detail("LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                      languageNotSupportedByAttributeError={"detectedLanguages": ["de"], "attribute": "INSULT"})),
    ({"comment": {"text": "12345 !!! 😀"}, "requestedAttributes": {"TOXICITY": {}}}, "Unable to detect language",
     _analyzer_detail("LANGUAGE_NOT_DETECTED")),
    ({"comment": {"text": 42}, "requestedAttributes": {"TOXICITY": {}}},
     "Invalid value at 'comment.text': Not a valid string.",
     [{"@type": BAD_REQUEST, "fieldViolations": [{"field": "comment.text", "description": "Not a valid string."}]}]),
])
def test_errors_carry_perspectives_details(perspective, analyzer_key, body, message, details):
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 400, response.json
    assert response.json == {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT",
                                       "details": details}}


def test_a_detected_language_without_a_model_names_the_detected_language(perspective, analyzer_key,
                                                                          analyzer_runtime):
    from moderation.analyzer.batcher import Batcher
    from moderation.analyzer.host import LocalAnalyzer

    def italian_without_insult(texts, languages):
        return [{"language": "it", "detected": "it", "model": DETOXIFY, "covered": True,
                 "scores": {"toxicity": 0.1, "insult": None}} for _ in texts]

    batcher = Batcher(italian_without_insult, max_batch=4).start()
    analyzer_runtime.analyzer = LocalAnalyzer(batcher)
    try:
        response = analyze(create_app(runtime=analyzer_runtime).test_client(), analyzer_key, "Grazie mille.",
                           languages=None, attributes=("TOXICITY", "INSULT"))
    finally:
        batcher.stop()
    assert response.status_code == 400
    assert response.json["error"]["details"] == _analyzer_detail(
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        languageNotSupportedByAttributeError={"detectedLanguages": ["it"], "attribute": "INSULT"})


def test_keys_are_refused_as_google_refuses_them(perspective, analyzer_runtime):
    body = {"comment": {"text": FRENCH}, "languages": ["fr"], "requestedAttributes": {"TOXICITY": {}}}
    invalid = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                         "status": "INVALID_ARGUMENT",
                         "details": [{"@type": ERROR_INFO, "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}
    suggest = coral_suggest(FRENCH, "fr", "1", "APPROVED")
    for path in (f"{ANALYZE}?key=mod_not-a-key", f"{SUGGEST}?key=nope", f"{ANALYZE}?key={'k' * 300}"):
        response = perspective.post(path, json=body if ANALYZE in path else suggest)
        assert response.status_code == 400 and response.json == invalid, path
    header = perspective.post(ANALYZE, json=body, headers={"X-Goog-Api-Key": "nope"})
    assert header.status_code == 400 and header.json == invalid
    missing = perspective.post(ANALYZE, json=body)
    assert missing.status_code == 403
    assert missing.json == {"error": {"code": 403, "message": "The request is missing a valid API key.",
                                      "status": "PERMISSION_DENIED"}}
    frontend = perspective.post(f"{ANALYZE}?key={make_key(analyzer_runtime, 'frontend')}", json=body)
    assert frontend.status_code == 403 and frontend.json["error"]["status"] == "PERMISSION_DENIED"
    assert frontend.json["error"]["details"] == [{"@type": ERROR_INFO, "reason": "API_KEY_SERVICE_BLOCKED",
                                                  "domain": "googleapis.com"}]
