"""POST /v1alpha1/comments:analyze and :suggestscore, as Coral Talk and Perspective's own
documentation send them, scored by the tiny generated models (random weights: the values are
checked against the models' own output, not for toxicity)."""
import json
import threading

import pytest
from sqlalchemy import func, select

from moderation.analyzer.batcher import Batcher
from moderation.analyzer.host import LocalAnalyzer
from moderation.app import create_app
from moderation.comments.models import Comment
from moderation.events.models import DomainEvent
from moderation.labels.models import ModelLabel
from moderation.runtime import Runtime
from tests.factories import headers, make_key

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
DETOXIFY = "detoxify-multilingual:detoxify.ckpt"
GERMAN_MODEL = "transformers:german-toxic"
FRENCH = "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête."
GERMAN = "Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel."


def coral_analyze(text: str, language: str, model: str = "TOXICITY", do_not_store: bool = True) -> dict:
    """Exactly the body Coral's formatBody builds for comments:analyze
    (coralproject/talk, server/src/core/server/services/perspective/perspective.ts)."""
    return {"comment": {"text": text}, "doNotStore": do_not_store, "requestedAttributes": {model: {}},
            "languages": [language]}


def coral_suggest(text: str, language: str, comment_id: str, status: str, model: str = "TOXICITY") -> dict:
    """Exactly the body Coral's formatBody builds for comments:suggestscore."""
    return {"comment": {"text": text},
            "context": {"entries": [{"text": json.dumps({
                "url": f"https://www.example.ch/2026/budget?commentID={comment_id}",
                "reply_to_id_Coral_comment_id": None, "Coral_comment_id": comment_id})}]},
            "attributeScores": {model: {"summaryScore": {"value": 0 if status == "APPROVED" else 1}}},
            "languages": [language], "communityId": "Coral:https://www.example.ch",
            "clientToken": f"comment:{comment_id}"}


def expected_score(router, text, language, label="toxicity"):
    return router.route([text], [language])[0].scores[label]


def test_coral_analyze_french_scored_by_detoxify(perspective, analyzer_key, loaded_router):
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr"))
    assert response.status_code == 200, response.json
    assert response.json == {
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": pytest.approx(
            expected_score(loaded_router, FRENCH, "fr"), abs=1e-6), "type": "PROBABILITY"}}},
        "languages": ["fr"], "model": DETOXIFY}
    # What Coral reads: result.data.attributeScores[model].summaryScore.value
    assert 0 <= response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1


def test_coral_analyze_german_scored_by_the_german_model(perspective, analyzer_key, loaded_router):
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(GERMAN, "de"))
    assert response.status_code == 200, response.json
    assert response.json["model"] == GERMAN_MODEL
    assert response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        loaded_router.scorers["de"].score([GERMAN])[0]["toxicity"], abs=1e-6)


def test_coral_severe_toxicity_model_setting(perspective, analyzer_key, loaded_router):
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr", "SEVERE_TOXICITY"))
    assert response.status_code == 200
    assert response.json["attributeScores"]["SEVERE_TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        expected_score(loaded_router, FRENCH, "fr", "severe_toxicity"), abs=1e-6)


def test_every_mapped_attribute_and_profanity_reads_obscene(perspective, analyzer_key, loaded_router):
    attributes = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]
    body = {"comment": {"text": FRENCH}, "languages": ["fr"], "requestedAttributes": {a: {} for a in attributes},
            "clientToken": "c-1"}
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 200, response.json
    assert list(response.json["attributeScores"]) == attributes
    assert response.json["clientToken"] == "c-1"
    scores = loaded_router.route([FRENCH], ["fr"])[0].scores
    for attribute, label in zip(attributes, ["toxicity", "severe_toxicity", "identity_attack", "insult", "obscene",
                                             "threat"]):
        assert response.json["attributeScores"][attribute]["summaryScore"]["value"] == pytest.approx(
            scores[label], abs=1e-6)


def test_perspective_curl_example_relaxed_json(perspective, analyzer_key):
    """Perspective's get-started curl example, byte for byte: its keys are unquoted."""
    body = ('{comment: {text: "what kind of idiot name is foo?"},\n'
            '          languages: ["en"],\n'
            '          requestedAttributes: {TOXICITY:{}} }')
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", data=body,
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.json
    assert set(response.json) == {"attributeScores", "languages", "model"}
    assert response.json["attributeScores"]["TOXICITY"]["summaryScore"]["type"] == "PROBABILITY"
    assert response.json["languages"] == ["en"]


def test_perspective_node_example_detects_the_language(perspective, analyzer_key):
    """The Node.js example sends no languages: we detect them, as Perspective does."""
    body = {"comment": {"text": "what kind of idiot name is foo?"}, "requestedAttributes": {"TOXICITY": {}}}
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 200, response.json
    assert response.json["languages"] == ["en"] and response.json["detectedLanguages"] == ["en"]
    german = perspective.post(f"{ANALYZE}?key={analyzer_key}",
                              json={"comment": {"text": GERMAN}, "requestedAttributes": {"TOXICITY": {}}})
    assert german.json["detectedLanguages"] == ["de"] and german.json["model"] == GERMAN_MODEL


def test_perspective_methods_example_asks_for_an_attribute_we_do_not_have(perspective, analyzer_key):
    body = {"comment": {"text": "What kind of idiot name is foo? Sorry, I like your name."}, "languages": ["en"],
            "requestedAttributes": {"TOXICITY": {}, "UNSUBSTANTIAL": {}}}
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 400
    assert response.json == {"error": {"code": 400, "message": "Unknown requested attribute: UNSUBSTANTIAL",
                                       "status": "INVALID_ARGUMENT"}}


def test_perspective_suggestscore_example(perspective, analyzer_key, analyzer_runtime):
    body = {"comment": {"text": "I guess it comes down a simple choice: Get busy living, or get busy dying."},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}},
            "communityId": "/forum/movies", "clientToken": "comment-53922"}
    response = perspective.post(f"{SUGGEST}?key={analyzer_key}", json=body)
    assert response.status_code == 200, response.json
    assert response.json == {"clientToken": "comment-53922", "detectedLanguages": ["en"]}
    with analyzer_runtime.db.transaction(write=False) as session:
        [label] = session.scalars(select(ModelLabel)).all()
    assert (label.label, label.language, label.model, label.community_id) == (0, "en", DETOXIFY, "/forum/movies")


def test_coral_suggestscore_stores_a_label_and_the_latest_decision_wins(perspective, analyzer_key,
                                                                        analyzer_runtime, loaded_router):
    first = perspective.post(f"{SUGGEST}?key={analyzer_key}", json=coral_suggest(GERMAN, "de", "c42", "REJECTED"))
    assert first.status_code == 200 and first.json == {"clientToken": "comment:c42", "requestedLanguages": ["de"]}
    with analyzer_runtime.db.transaction(write=False) as session:
        [label] = session.scalars(select(ModelLabel)).all()
        assert (label.label, label.model, label.language) == (1, GERMAN_MODEL, "de")
        assert label.scores["toxicity"] == pytest.approx(loaded_router.scorers["de"].score([GERMAN])[0]["toxicity"])
        assert label.suggested == {"TOXICITY": 1}
    # The moderator changes their mind: Coral sends the same token again.
    again = perspective.post(f"{SUGGEST}?key={analyzer_key}", json=coral_suggest(GERMAN, "de", "c42", "APPROVED"))
    assert again.status_code == 200
    with analyzer_runtime.db.transaction(write=False) as session:
        assert [(row.label, row.client_token) for row in session.scalars(select(ModelLabel))] == [(0, "comment:c42")]
        # The text itself is stored nowhere.
        assert not any(GERMAN in json.dumps(row.scores) + json.dumps(row.suggested)
                       for row in session.scalars(select(ModelLabel)))


def test_analysed_text_is_never_stored(perspective, analyzer_key, analyzer_runtime):
    for do_not_store in (True, False):
        assert perspective.post(f"{ANALYZE}?key={analyzer_key}",
                                json=coral_analyze(FRENCH, "fr", do_not_store=do_not_store)).status_code == 200
    with analyzer_runtime.db.transaction(write=False) as session:
        for model in (Comment, ModelLabel, DomainEvent):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_score_threshold_leaves_out_lower_scores(perspective, analyzer_key, loaded_router):
    value = expected_score(loaded_router, FRENCH, "fr")
    body = {"comment": {"text": FRENCH}, "languages": ["fr"],
            "requestedAttributes": {"TOXICITY": {"scoreThreshold": min(1.0, value + 0.01), "scoreType": "PROBABILITY"},
                                    "INSULT": {"scoreThreshold": 0}}}
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 200 and list(response.json["attributeScores"]) == ["INSULT"]


@pytest.mark.parametrize("body,message", [
    ({"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty."),
    ({"comment": {"text": "   \n"}, "requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty."),
    ({"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty."),
    ({"comment": {"text": "Salut"}}, "Missing requested_attributes"),
    ({"comment": {"text": "Salut"}, "requestedAttributes": {}}, "Missing requested_attributes"),
    ({"comment": {"text": "Salut"}, "requestedAttributes": {"FLIRTATION": {}}},
     "Unknown requested attribute: FLIRTATION"),
    ({"comment": {"text": "Salut"}, "requestedAttributes": {"TOXICITY": {"scoreType": "RAW"}}},
     "Requested score type RAW is not supported by attribute TOXICITY"),
    ({"comment": {"text": "<p>Salut</p>", "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}},
     "Currently, only 'PLAIN_TEXT' comments are supported."),
    ({"comment": {"text": 42}, "requestedAttributes": {"TOXICITY": {}}},
     "Invalid value at 'comment.text': Not a valid string."),
    ({"comment": {"text": "Dank je wel."}, "languages": ["nl"], "requestedAttributes": {"TOXICITY": {}}},
     "Attribute TOXICITY does not support request languages: nl"),
    ({"comment": {"text": GERMAN}, "languages": ["de"], "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}},
     "Attribute INSULT does not support request languages: de"),
    ({"comment": {"text": FRENCH}, "languages": ["fr"], "requestedAttributes": {"SEXUALLY_EXPLICIT": {}}},
     "Attribute SEXUALLY_EXPLICIT does not support request languages: fr"),
])
def test_invalid_requests_get_perspectives_error_shape(perspective, analyzer_key, body, message):
    """The details, where Perspective gives some, are checked in test_perspective_fields.py."""
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 400
    assert set(response.json) == {"error"}
    error = {name: value for name, value in response.json["error"].items() if name != "details"}
    assert error == {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_malformed_bodies(perspective, analyzer_key, data):
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", data=data,
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["status"] == "INVALID_ARGUMENT"
    assert response.json["error"]["message"].startswith("Invalid JSON payload received.")


def test_too_large_body(perspective, analyzer_key, analyzer_runtime):
    limit = analyzer_runtime.settings.api.max_request_bytes
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze("x" * limit, "fr"))
    assert response.status_code == 400
    assert response.json["error"] == {"code": 400, "status": "INVALID_ARGUMENT",
                                      "message": f"Request payload size exceeds the limit: {limit} bytes."}


def test_keys_roles_and_where_the_key_may_be(perspective, analyzer_key, analyzer_runtime):
    body = coral_analyze(FRENCH, "fr")
    denied = {"code": 403, "status": "PERMISSION_DENIED"}
    missing = perspective.post(ANALYZE, json=body)
    assert missing.status_code == 403 and missing.json["error"] == {
        **denied, "message": "The request is missing a valid API key."}
    wrong = perspective.post(f"{ANALYZE}?key=mod_not-a-key", json=body)  # Google answers 400 here
    assert wrong.status_code == 400 and wrong.json["error"]["status"] == "INVALID_ARGUMENT"
    assert wrong.json["error"]["message"] == "API key not valid. Please pass a valid API key."
    frontend = perspective.post(f"{ANALYZE}?key={make_key(analyzer_runtime, 'frontend')}", json=body)
    assert frontend.status_code == 403 and frontend.json["error"]["status"] == "PERMISSION_DENIED"
    assert "role frontend" in frontend.json["error"]["message"]
    assert perspective.post(f"{ANALYZE}?key={make_key(analyzer_runtime, 'admin')}", json=body).status_code == 200
    assert perspective.post(ANALYZE, json=body, headers={"X-Goog-Api-Key": analyzer_key}).status_code == 200
    assert perspective.post(ANALYZE, json=body, headers=headers(analyzer_key)).status_code == 200
    assert perspective.post(f"{SUGGEST}?key=nope", json=coral_suggest(FRENCH, "fr", "1", "APPROVED")).status_code == 400
    # An analyzer key opens nothing else, and the rest of the API keeps its own envelope.
    queue = perspective.get("/api/v1/moderation/queue", headers=headers(analyzer_key))
    assert queue.status_code == 403 and queue.json["error"]["code"] == "forbidden"


def test_unknown_methods_in_perspectives_shape(perspective, analyzer_key):
    for method, path in (("GET", ANALYZE), ("POST", "/v1alpha1/comments:frobnicate"), ("GET", "/v1alpha1/x")):
        response = perspective.open(f"{path}?key={analyzer_key}", method=method)
        assert response.status_code == 404
        assert response.json == {"error": {"code": 404, "message": "Method not found.", "status": "NOT_FOUND"}}
    assert perspective.get("/api/v1/nothing").json["error"]["code"] == "not_found"  # our envelope elsewhere


def test_detect_languages_setting_ignores_coral_locale(analyzer_runtime, analyzer_key, loaded_router,
                                                       analyzer_detector):
    """Coral sends its admin locale ("en" for Italian tenants); detect_languages reads the text instead."""
    from moderation.analyzer.host import local_batcher

    runtime = Runtime(analyzer_runtime.settings.replace(analyzer={"detect_languages": True}),
                      clock=analyzer_runtime.clock, database=analyzer_runtime.db)
    batcher = local_batcher(runtime, loaded_router, analyzer_detector)
    runtime.analyzer = LocalAnalyzer(batcher)
    try:
        response = create_app(runtime=runtime).test_client().post(f"{ANALYZE}?key={analyzer_key}",
                                                                  json=coral_analyze(GERMAN, "en"))
    finally:
        batcher.stop()
    assert response.status_code == 200
    assert response.json["languages"] == ["de"] and response.json["model"] == GERMAN_MODEL


def test_no_model_on_this_machine_is_503(runtime, settings, models_by_language, tmp_path):
    rt = Runtime(settings.replace(scoring={"backend": "detoxify", "models": models_by_language},
                                  analyzer={"socket_path": str(tmp_path / "nobody.sock")}),
                 clock=runtime.clock, database=runtime.db)
    response = create_app(runtime=rt).test_client().post(f"{ANALYZE}?key={make_key(rt, 'analyzer')}",
                                                         json=coral_analyze(FRENCH, "fr"))
    assert response.status_code == 503
    assert response.json == {"error": {"code": 503, "status": "UNAVAILABLE",
                                       "message": "The model is not ready on this machine; retry later."}}


def test_overload_is_503_and_a_late_answer_is_504(analyzer_runtime, analyzer_key, loaded_router):
    """A real batcher whose model is held busy: the queue behind it cannot meet its deadline."""
    gate, started = threading.Event(), threading.Event()

    def slow(texts, languages):
        started.set()
        gate.wait(30)
        return [{"language": "fr", "detected": None, "model": "slow", "scores": {"toxicity": 0.5}, "covered": True}
                for _ in texts]

    runtime = Runtime(analyzer_runtime.settings.replace(analyzer={"deadline_seconds": 0.3}),
                      clock=analyzer_runtime.clock, database=analyzer_runtime.db)
    batcher = Batcher(slow, max_batch=1, max_wait=0, max_queue=2).start()
    runtime.analyzer = LocalAnalyzer(batcher)
    client = create_app(runtime=runtime).test_client()
    try:
        blocker = threading.Thread(target=lambda: client.post(f"{ANALYZE}?key={analyzer_key}",
                                                              json=coral_analyze(FRENCH, "fr")))
        blocker.start()
        assert started.wait(10)
        late = client.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr"))
        assert late.status_code == 504
        assert late.json == {"error": {"code": 504, "message": "Deadline exceeded.", "status": "DEADLINE_EXCEEDED"}}
        gate.set()
        blocker.join(10)
        gate.clear()
        started.clear()
        # Now the batcher knows a batch takes ~0.3 s+: with one in progress, the next cannot make 0.3 s.
        blocker = threading.Thread(target=lambda: client.post(f"{ANALYZE}?key={analyzer_key}",
                                                              json=coral_analyze(FRENCH, "fr")))
        blocker.start()
        assert started.wait(10)
        refused = client.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr"))
        assert refused.status_code == 503
        assert refused.json["error"] == {"code": 503, "status": "UNAVAILABLE",
                                         "message": "The service is overloaded; retry later."}
    finally:
        gate.set()
        batcher.stop()


def test_over_the_per_key_limit_is_a_perspective_shaped_429(analyzer_runtime, analyzer_key):
    limited = Runtime(analyzer_runtime.settings.replace(ratelimit={"enabled": True, "analyzer_per_key": "2/minute"}),
                      clock=analyzer_runtime.clock, database=analyzer_runtime.db)
    limited.analyzer = analyzer_runtime.analyzer
    client = create_app(runtime=limited).test_client()
    codes = [client.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr")) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[2].json["error"]["status"] == "RESOURCE_EXHAUSTED" and codes[2].json["error"]["code"] == 429


def test_a_nul_in_what_suggestscore_stores_is_invalid_argument(perspective, analyzer_key):
    body = {**coral_suggest(FRENCH, "fr", "1", "APPROVED"), "clientToken": "a\x00b"}
    response = perspective.post(f"{SUGGEST}?key={analyzer_key}", json=body)
    assert response.status_code == 400 and response.json["error"]["status"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("languages", [["e\x00"], ["toolong"], [""], ["1"], ["fr\u00e9"], ["-"]])
def test_a_malformed_language_code_is_invalid_argument(perspective, analyzer_key, languages):
    for path, body in ((ANALYZE, coral_analyze(FRENCH, "fr")), (SUGGEST, coral_suggest(FRENCH, "fr", "1", "APPROVED"))):
        response = perspective.post(f"{path}?key={analyzer_key}", json={**body, "languages": languages})
        assert response.status_code == 400, (path, response.json)
        assert response.json["error"]["status"] == "INVALID_ARGUMENT"
        assert "ISO 639" in response.json["error"]["message"]


def test_regional_language_codes_are_read_as_their_language(perspective, analyzer_key):
    """And echoed as sent, as Perspective does."""
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(FRENCH, "fr-CH"))
    assert response.status_code == 200 and response.json["languages"] == ["fr-CH"]
    assert response.json["model"] == DETOXIFY
    german = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=coral_analyze(GERMAN, "de_CH"))
    assert german.status_code == 200 and german.json["languages"] == ["de_CH"]
    assert german.json["model"] == GERMAN_MODEL


def test_suggestscore_scores_before_its_write_transaction(analyzer_runtime, analyzer_key):
    """Scoring takes up to the deadline; on SQLite a write transaction open meanwhile would
    hold the one writer that intake needs."""
    open_while_scoring = []

    class Recording:
        def analyze(self, texts, languages, deadline):
            open_while_scoring.append(analyzer_runtime.db.in_transaction)
            return [{"language": "fr", "detected": None, "model": DETOXIFY, "scores": {"toxicity": 0.9},
                     "covered": True} for _ in texts]

    analyzer_runtime.analyzer = Recording()
    client = create_app(runtime=analyzer_runtime).test_client()
    response = client.post(f"{SUGGEST}?key={analyzer_key}", json=coral_suggest(FRENCH, "fr", "9", "REJECTED"))
    assert response.status_code == 200, response.json
    assert open_while_scoring == [False]
    with analyzer_runtime.db.transaction(write=False) as session:
        stored = session.scalars(select(ModelLabel).where(ModelLabel.client_token == "comment:9")).one()
        assert stored.label == 1 and stored.model == DETOXIFY


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000, b"{comment: " + b"[" * 1000 + b"]" * 1000 + b"}",
                                  b'{"comment": {"text": ' + b"[" * 1000 + b"]" * 1000 + b"}}"])
def test_deeply_nested_json_is_perspectives_400(perspective, analyzer_key, body, caplog):
    response = perspective.post(f"/v1alpha1/comments:analyze?key={analyzer_key}", data=body,
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["status"] == "INVALID_ARGUMENT"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def _text_of_bytes(size: int) -> str:
    unit = "Un commentaire très long sur le budget fédéral, écrit à la main. "
    text = (unit * (size // len(unit.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")
    return text + "x" * (size - len(text.encode()))


@pytest.mark.parametrize("size,status", [(20480, 200), (20481, 400)])
def test_comment_text_is_capped_at_perspectives_20_kb(perspective, analyzer_key, size, status):
    """Perspective's limit: 20 KB of UTF-8 (at the limit scored, one byte more refused)."""
    text = _text_of_bytes(size)
    assert len(text.encode()) == size
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json={
        "comment": {"text": text}, "languages": ["fr"], "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == status, response.json
    if status == 400:
        assert response.json["error"]["status"] == "INVALID_ARGUMENT"
        assert "too many bytes" in response.json["error"]["message"]


def test_only_small_bodies_go_through_the_relaxed_json_parser(perspective, analyzer_key):
    """json5 costs seconds of CPU on 64 KB of "1,": a large body must be strict JSON."""
    big = "{comment: {text: \"salut\"}, requestedAttributes: {TOXICITY: {}}, pad: [" + "1," * 17000 + "1]}"
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", data=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["status"] == "INVALID_ARGUMENT"
    strict = json.dumps({"comment": {"text": "salut"}, "languages": ["fr"], "requestedAttributes": {"TOXICITY": {}},
                         "pad": [1] * 12000})
    assert perspective.post(f"{ANALYZE}?key={analyzer_key}", data=strict,
                            headers={"Content-Type": "application/json"}).status_code == 200
