"""What Perspective's other clients send and read (Google's client libraries, HELM, modelgauge):
span scores, error details, dropUnsupportedAttributes, the enum defaults and the language
echoes. Scored by the tiny generated models, as in test_perspective.py."""
import pytest
from sqlalchemy import select

from moderation.app import create_app
from moderation.labels.models import ModelLabel
from moderation.text import clean_text
from tests.analyzer.test_perspective import ANALYZE, DETOXIFY, FRENCH, GERMAN, GERMAN_MODEL, SUGGEST, coral_suggest
from tests.factories import make_key

ANALYZER_ERROR = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
# Three sentences, an emoji (two UTF-16 code units) in the second.
SPANNED = "Je ne suis pas d'accord avec l'auteur. Quelle idée 😀 ! Merci pour l'enquête."
SPANNED_SENTENCES = ["Je ne suis pas d'accord avec l'auteur. ", "Quelle idée 😀 ! ", "Merci pour l'enquête."]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def analyze(client, key, text, languages=("fr",), attributes=("TOXICITY",), **fields):
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes}, **fields}
    if languages is not None:
        body["languages"] = list(languages)
    return client.post(f"{ANALYZE}?key={key}", json=body)


class Recording:
    """An analyzer that records its calls and scores every text 0.25 (French, Detoxify)."""

    def __init__(self):
        self.calls = []

    def analyze(self, texts, languages, deadline):
        self.calls.append((list(texts), list(languages)))
        return [{"language": "fr", "detected": None, "model": DETOXIFY, "covered": True,
                 "scores": {"toxicity": 0.25, "insult": 0.5}} for _ in texts]


@pytest.fixture
def recording(analyzer_runtime):
    analyzer_runtime.analyzer = Recording()
    return analyzer_runtime.analyzer


# -- span scores ---------------------------------------------------------------------------------

def test_span_annotations_score_each_sentence_in_utf16_units(perspective, analyzer_key, loaded_router):
    response = analyze(perspective, analyzer_key, SPANNED, attributes=("TOXICITY", "INSULT"), spanAnnotations=True)
    assert response.status_code == 200, response.json
    ends = [utf16("".join(SPANNED_SENTENCES[:i + 1])) for i in range(3)]
    assert ends[-1] == utf16(SPANNED) == len(SPANNED) + 1
    whole = loaded_router.route([SPANNED], ["fr"])[0].scores
    for attribute, label in (("TOXICITY", "toxicity"), ("INSULT", "insult")):
        scores = response.json["attributeScores"][attribute]
        assert scores["summaryScore"] == {"value": pytest.approx(whole[label], abs=1e-5), "type": "PROBABILITY"}
        assert [(span["begin"], span["end"]) for span in scores["spanScores"]] == [(0, ends[0]), (ends[0], ends[1]),
                                                                                   (ends[1], ends[2])]
        for span, sentence in zip(scores["spanScores"], SPANNED_SENTENCES):
            assert span["score"] == {"type": "PROBABILITY", "value": pytest.approx(
                loaded_router.route([sentence], ["fr"])[0].scores[label], abs=1e-5)}


def test_the_sentences_are_scored_in_the_same_analyzer_call_as_the_text(perspective, analyzer_key, recording):
    response = analyze(perspective, analyzer_key, SPANNED, spanAnnotations=True)
    assert response.status_code == 200, response.json
    assert recording.calls == [([SPANNED, *SPANNED_SENTENCES], ["fr"] * 4)]
    assert [s["score"]["value"] for s in response.json["attributeScores"]["TOXICITY"]["spanScores"]] == [0.25] * 3


def test_a_text_of_one_sentence_gets_one_span_over_all_of_it(perspective, analyzer_key, recording):
    text = "  Une seule phrase, avec un 👍🏽 "
    response = analyze(perspective, analyzer_key, text, spanAnnotations=True)
    assert response.status_code == 200, response.json
    assert recording.calls == [([text], ["fr"])]  # the whole text is its only sentence: scored once
    assert response.json["attributeScores"]["TOXICITY"]["spanScores"] == [
        {"begin": 0, "end": utf16(text), "score": {"value": 0.25, "type": "PROBABILITY"}}]


def test_without_span_annotations_there_are_no_span_scores(perspective, analyzer_key, recording):
    response = analyze(perspective, analyzer_key, SPANNED, spanAnnotations=False)
    assert response.json["attributeScores"] == {"TOXICITY": {"summaryScore": {"value": 0.25, "type": "PROBABILITY"}}}
    assert recording.calls == [([SPANNED], ["fr"])]


def test_offsets_are_in_the_text_as_sent_not_as_cleaned(perspective, analyzer_key, recording):
    """The client holds the text it sent: offsets count its \\r and its decomposed accents,
    which the scored text loses (NFC, no control characters)."""
    text = "Cafe\u0301 froid.\r\nTre\u0300s bien."
    response = analyze(perspective, analyzer_key, text, spanAnnotations=True)
    assert response.status_code == 200, response.json
    [(texts, _)] = recording.calls
    assert texts == [clean_text(text), clean_text("Cafe\u0301 froid.\r\n"), clean_text("Tre\u0300s bien.")]
    spans = response.json["attributeScores"]["TOXICITY"]["spanScores"]
    first = len("Cafe\u0301 froid.\r\n")  # no astral characters: UTF-16 units are code points here
    assert [(s["begin"], s["end"]) for s in spans] == [(0, first), (first, len(text))]


def test_spans_of_a_detected_language_are_scored_by_that_languages_model(perspective, analyzer_key, loaded_router):
    """Alone, "Merci! " is detected as Italian; as a sentence of a German comment it is scored
    by the German model, as the comment is."""
    text = "Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel. Merci! Bis bald."
    sentences = ["Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel. ", "Merci! ", "Bis bald."]
    response = analyze(perspective, analyzer_key, text, languages=None, spanAnnotations=True)
    assert response.status_code == 200, response.json
    assert response.json["detectedLanguages"] == ["de"] and response.json["model"] == GERMAN_MODEL
    spans = response.json["attributeScores"]["TOXICITY"]["spanScores"]
    german = loaded_router.scorers["de"].score(sentences)
    assert [s["score"]["value"] for s in spans] == [pytest.approx(g["toxicity"], abs=1e-5) for g in german]


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
    ({"comment": {"text": GERMAN}, "languages": ["de-CH"], "requestedAttributes": {"TOXICITY": {}, "INSULT": {}}},
     "Attribute INSULT does not support request languages: de-CH",
     _analyzer_detail("LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                      languageNotSupportedByAttributeError={"detectedLanguages": ["de-CH"], "attribute": "INSULT"})),
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


# -- request fields ------------------------------------------------------------------------------

def test_drop_unsupported_attributes_answers_what_the_german_model_has(perspective, analyzer_key, loaded_router):
    response = analyze(perspective, analyzer_key, GERMAN, languages=("de",),
                       attributes=("TOXICITY", "INSULT", "SPAM", "FLIRTATION", "ATTACK_ON_AUTHOR"),
                       dropUnsupportedAttributes=True)
    assert response.status_code == 200, response.json
    assert list(response.json["attributeScores"]) == ["TOXICITY"]
    assert response.json["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        loaded_router.scorers["de"].score([GERMAN])[0]["toxicity"], abs=1e-6)


@pytest.mark.parametrize("attribute", ["SPAM", "FLIRTATION", "UNSUBSTANTIAL", "TOXICITY_EXPERIMENTAL",
                                       "AFFINITY_EXPERIMENTAL"])
def test_attributes_we_do_not_produce_are_refused_as_unknown(perspective, analyzer_key, attribute):
    response = analyze(perspective, analyzer_key, FRENCH, attributes=("TOXICITY", attribute))
    assert response.status_code == 400
    assert response.json["error"]["message"] == f"Unknown requested attribute: {attribute}"
    assert response.json["error"]["status"] == "INVALID_ARGUMENT"


def test_drop_unsupported_attributes_with_a_language_no_model_covers(perspective, analyzer_key, recording):
    response = analyze(perspective, analyzer_key, "Dank je wel.", languages=("nl",), dropUnsupportedAttributes=True)
    assert response.status_code == 200, response.json
    assert response.json["attributeScores"] == {} and response.json["languages"] == ["nl"]


def test_unspecified_enums_mean_plain_text_and_probability(perspective, analyzer_key, recording):
    body = {"comment": {"text": FRENCH, "type": "TEXT_TYPE_UNSPECIFIED"}, "languages": ["fr"],
            "requestedAttributes": {"TOXICITY": {"scoreType": "SCORE_TYPE_UNSPECIFIED"}}}
    response = perspective.post(f"{ANALYZE}?key={analyzer_key}", json=body)
    assert response.status_code == 200, response.json
    assert response.json["attributeScores"]["TOXICITY"]["summaryScore"] == {"value": 0.25, "type": "PROBABILITY"}


def test_the_languages_echo_keeps_the_request_codes(perspective, analyzer_key, recording):
    response = analyze(perspective, analyzer_key, "what kind of idiot name is foo?", languages=("en-US",))
    assert response.status_code == 200 and response.json["languages"] == ["en-US"]
    assert recording.calls[0][1] == ["en"]  # the model is picked by the language, without its region
    assert "detectedLanguages" not in response.json


def test_every_requested_language_must_be_supported(perspective, analyzer_key, recording):
    response = analyze(perspective, analyzer_key, FRENCH, languages=("fr", "nl"))
    assert response.status_code == 400
    assert response.json["error"]["message"] == "Attribute TOXICITY does not support request languages: fr, nl"
    assert recording.calls == []  # refused before any work


def test_suggestscore_echoes_requested_and_detected_languages(perspective, analyzer_key):
    requested = perspective.post(f"{SUGGEST}?key={analyzer_key}",
                                 json={**coral_suggest(FRENCH, "fr-CH", "1", "APPROVED")})
    assert requested.status_code == 200, requested.json
    assert requested.json == {"clientToken": "comment:1", "requestedLanguages": ["fr-CH"]}
    detected = perspective.post(f"{SUGGEST}?key={analyzer_key}", json={
        "comment": {"text": GERMAN}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}})
    assert detected.status_code == 200, detected.json
    assert detected.json == {"detectedLanguages": ["de"]}


def test_suggestscore_with_span_scores_only(perspective, analyzer_key, analyzer_runtime):
    """A span suggested toxic makes the comment a rejection."""
    body = {"comment": {"text": SPANNED}, "languages": ["fr"], "clientToken": "spans-1",
            "attributeScores": {"TOXICITY": {"spanScores": [
                {"begin": 0, "end": 39, "score": {"value": 0}},
                {"begin": 39, "end": utf16(SPANNED), "score": {"value": 0.9, "type": "PROBABILITY"}}]}}}
    response = perspective.post(f"{SUGGEST}?key={analyzer_key}", json=body)
    assert response.status_code == 200, response.json
    with analyzer_runtime.db.transaction(write=False) as session:
        label = session.scalars(select(ModelLabel).where(ModelLabel.client_token == "spans-1")).one()
    assert label.label == 1 and label.suggested == {"TOXICITY": 0.9}


@pytest.mark.parametrize("scores,field,description", [
    ({"TOXICITY": {"spanScores": [{"end": 3, "score": {"value": 1}}]}},
     "attributeScores.TOXICITY.spanScores[0].begin", "Missing data for required field."),
    ({"TOXICITY": {"spanScores": [{"begin": 0, "end": 3, "score": {"value": 1}}, {"begin": 3, "end": 4}]}},
     "attributeScores.TOXICITY.spanScores[1].score", "Missing data for required field."),
    ({"TOXICITY": {"summaryScore": {"value": "high"}}}, "attributeScores.TOXICITY.summaryScore.value",
     "Not a valid number."),
    ({"TOXICITY": {}}, "attributeScores.TOXICITY", "Give a summaryScore or spanScores."),
    ({"TOXICITY": {"spanScores": [{"begin": 4, "end": 2, "score": {"value": 1}}]}},
     "attributeScores.TOXICITY.spanScores[0].end", "A span ends at or after its begin."),
    ({"TOXICITY": {"spanScores": [{"begin": 0, "end": 500, "score": {"value": 1}}]}},
     "attributeScores.TOXICITY.spanScores[0].end", f"Beyond the comment's {utf16(SPANNED)} UTF-16 code units."),
])
def test_suggestscore_refusals_name_the_field(perspective, analyzer_key, scores, field, description):
    response = perspective.post(f"{SUGGEST}?key={analyzer_key}", json={
        "comment": {"text": SPANNED}, "languages": ["fr"], "attributeScores": scores})
    assert response.status_code == 400, response.json
    assert response.json["error"]["message"] == f"Invalid value at '{field}': {description}"
    assert response.json["error"]["details"] == [{"@type": BAD_REQUEST, "fieldViolations": [
        {"field": field, "description": description}]}]
