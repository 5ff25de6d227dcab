"""Perspective's comments:analyze and comments:suggestscore on our own models.

Attributes map to our classes (PROFANITY to ``obscene``); a request's language picks the
model ([scoring.models]); the text is scored by the machine's model copy through the
dynamic batcher (analyzer/host.py). With ``spanAnnotations`` each sentence of the text is
scored too, in the same analyzer call as the text (analyzer/sentences.py). Analysed text is
never stored: ``doNotStore`` is accepted, and we behave as if it were always true. A
suggestscore stores a label for the model report (labels/): the model's scores of the text,
never the text.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import json5
from marshmallow import ValidationError, fields
from sqlalchemy.orm import Session

from moderation.analyzer import schemas
from moderation.analyzer.batcher import AnalyzerUnavailable, DeadlineExceeded, Overloaded
from moderation.analyzer.errors import (
    PerspectiveError,
    comment_empty,
    comment_too_long,
    invalid,
    invalid_field,
    language_not_detected,
    language_not_supported,
)
from moderation.analyzer.sentences import MAX_SPANS, sentence_spans, utf16_offsets
from moderation.config import Settings
from moderation.labels import service as labels
from moderation.scoring.language import DETECTION_PREFIX_CHARS
from moderation.scoring.router import NO_MODEL, ModelRouter
from moderation.text import InvalidText, clean_text

# Perspective's production attributes and the class of ours each one reads.
ATTRIBUTES = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "IDENTITY_ATTACK": "identity_attack",
    "INSULT": "insult",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "SEXUALLY_EXPLICIT": "sexual_explicit",
}
PROBABILITY = "PROBABILITY"
# Google's clients send an enum's zero value for "not set": plain text, probabilities.
PLAIN_TEXT_TYPES = (None, "TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT")
PROBABILITY_TYPES = (None, "SCORE_TYPE_UNSPECIFIED", PROBABILITY)
# ISO 639-1 or 639-2/3 codes, after the region ("en-US") is cut off: what the models know and
# the labels store.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# Perspective's own limit on comment.text, in UTF-8 bytes ("Comment text was too many bytes.").
MAX_TEXT_BYTES = 20480
# Only bodies this small may go through json5 (see parse_json).
RELAXED_JSON_MAX_BYTES = 32768


@dataclass(frozen=True)
class Requested:
    attribute: str
    threshold: float | None


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str  # cleaned: what the model reads
    original: str  # as sent: span offsets count in it, as the client does
    attributes: list[Requested]
    languages: list[str]  # ISO 639 codes, which pick the model
    requested_languages: list[str]  # as sent ("en-US"), for the echo
    client_token: str | None
    span_annotations: bool = False
    drop_unsupported: bool = False


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    suggested: dict[str, float]
    languages: list[str]
    client_token: str | None
    community_id: str | None
    requested_languages: list[str] = dataclasses.field(default_factory=list)


def parse_json(raw: bytes) -> dict:
    """The body as an object; relaxed JSON (unquoted keys, as in Perspective's curl example) too,
    for bodies up to RELAXED_JSON_MAX_BYTES: json5's pure-Python parser costs seconds of CPU
    on 64 KB of crafted input, and a hand-typed curl example is never that long."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("Invalid JSON payload received. The body is not UTF-8.") from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise invalid("Invalid JSON payload received. The body is nested too deeply.") from None
    except ValueError:
        if len(raw) > RELAXED_JSON_MAX_BYTES:
            raise invalid("Invalid JSON payload received.") from None
        try:
            body = json5.loads(text)
        except RecursionError:
            raise invalid("Invalid JSON payload received. The body is nested too deeply.") from None
        except ValueError:
            raise invalid("Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. The body must be a JSON object.")
    return body


def _load(schema, body: dict) -> dict:
    try:
        return schema.load(body)
    except ValidationError as exc:
        field, message = _first_error(fields.Nested(schema), exc.normalized_messages(), "")
        raise invalid_field(field, message) from None


def _first_error(field: Any, messages: Any, path: str) -> tuple[str, str]:
    """The first refused field, as its path in the request body: a map's key and a list's index
    as the client wrote them (``attributeScores.TOXICITY.spanScores[0].begin``), never
    marshmallow's own "value" level of a map (which a field named ``value`` would be confused with)."""
    if isinstance(messages, list):
        return path, str(messages[0]) if messages else ""
    if not isinstance(messages, dict) or not messages:
        return path, str(messages)
    key, inner = next(iter(messages.items()))
    if key == "_schema":  # the value as a whole (not an object, say)
        return _first_error(None, inner, path)
    if isinstance(field, fields.Dict) and isinstance(inner, dict) and inner:
        part, inner = next(iter(inner.items()))  # {"value": ...} or {"key": ...}
        return _first_error(field.value_field if part == "value" else None, inner, f"{path}.{key}")
    if isinstance(field, fields.List):
        return _first_error(field.inner, inner, f"{path}[{key}]")
    child = field.schema.fields.get(key) if isinstance(field, fields.Nested) else None
    return _first_error(child, inner, f"{path}.{key}" if path else str(key))


def _text(comment: dict | None) -> tuple[str, str]:
    """The comment's text as sent, and cleaned for the model."""
    text = (comment or {}).get("text")
    if not text or not text.strip():
        raise comment_empty()
    if (comment or {}).get("type") not in PLAIN_TEXT_TYPES:
        raise invalid("Currently, only 'PLAIN_TEXT' comments are supported.")
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise comment_too_long(MAX_TEXT_BYTES)
    try:
        return text, clean_text(text)
    except InvalidText as exc:
        raise invalid_field("comment.text", str(exc)) from None


def _languages(given: list[str] | None) -> list[str]:
    """ISO 639-1 codes as sent ("en", or "en-US" read as "en")."""
    result = []
    for index, language in enumerate(given or []):
        code = language.strip().lower().replace("_", "-").split("-")[0]
        if not LANGUAGE_CODE.fullmatch(code):
            raise invalid_field(f"languages[{index}]", "A language is an ISO 639 code such as \"en\" or \"fr-CH\".")
        if code not in result:
            result.append(code)
    return result


def parse_analyze(body: dict) -> AnalyzeRequest:
    data = _load(schemas.AnalyzeCommentRequest(), body)
    original, text = _text(data["comment"])
    if not data["requestedAttributes"]:
        raise invalid("Missing requested_attributes")
    drop = data["dropUnsupportedAttributes"]
    requested = []
    for attribute, options in data["requestedAttributes"].items():
        if attribute not in ATTRIBUTES:
            if drop:  # no model of ours has it: dropped, as for a language whose model lacks it
                continue
            raise invalid(f"Unknown requested attribute: {attribute}")
        options = options or {}
        if options.get("scoreType") not in PROBABILITY_TYPES:
            raise invalid(f"Requested score type {options['scoreType']} is not supported by attribute {attribute}")
        requested.append(Requested(attribute, options.get("scoreThreshold")))
    return AnalyzeRequest(text=text, original=original, attributes=requested,
                          languages=_languages(data["languages"]), requested_languages=list(data["languages"] or []),
                          client_token=data["clientToken"], span_annotations=data["spanAnnotations"],
                          drop_unsupported=drop)


def parse_suggest(body: dict) -> SuggestRequest:
    data = _load(schemas.SuggestCommentScoreRequest(), body)
    original, text = _text(data["comment"])
    if not data["attributeScores"]:
        raise invalid("Missing attribute_scores")
    length = utf16_offsets(original)[-1]
    suggested = {}
    for attribute, scores in data["attributeScores"].items():
        if attribute not in ATTRIBUTES:
            raise invalid(f"Unknown attribute: {attribute}")
        suggested[attribute] = _suggested_value(f"attributeScores.{attribute}", scores, length)
    for name in ("clientToken", "communityId"):
        if data[name] is not None and "\x00" in data[name]:  # stored: PostgreSQL cannot hold NUL
            raise invalid_field(name, "Contains a NUL character.")
    return SuggestRequest(text=text, suggested=suggested, languages=_languages(data["languages"]),
                          client_token=data["clientToken"], community_id=data["communityId"],
                          requested_languages=list(data["languages"] or []))


def _suggested_value(path: str, scores: dict, length: int) -> float:
    """The suggested score of the comment as a whole: its summaryScore, or else its worst span
    (one toxic sentence makes a toxic comment)."""
    spans = scores["spanScores"] or []
    if scores["summaryScore"] is None and not spans:
        raise invalid_field(path, "Give a summaryScore or spanScores.")
    for index, span in enumerate(spans):
        if span["end"] < span["begin"]:
            raise invalid_field(f"{path}.spanScores[{index}].end", "A span ends at or after its begin.")
        if span["end"] > length:
            raise invalid_field(f"{path}.spanScores[{index}].end", f"Beyond the comment's {length} UTF-16 code units.")
    if scores["summaryScore"] is not None:
        return scores["summaryScore"]["value"]
    return max(span["score"]["value"] for span in spans)


def _score(analyzer, settings: Settings, texts: list[str], languages: list[Any]) -> list[dict[str, Any]]:
    try:
        return analyzer.analyze(texts, languages, settings.analyzer.deadline_seconds)
    except AnalyzerUnavailable:
        raise PerspectiveError(503, "The model is not ready on this machine; retry later.") from None
    except Overloaded:
        raise PerspectiveError(503, "The service is overloaded; retry later.") from None
    except DeadlineExceeded:
        raise PerspectiveError(504, "Deadline exceeded.") from None


def _language(settings: Settings, languages: list[str]) -> list[str]:
    # [analyzer] detect_languages: Coral sends its admin locale, not the comment's language.
    return [] if settings.analyzer.detect_languages else languages


def analyze(analyzer, coverage: ModelRouter, settings: Settings, request: AnalyzeRequest,
            house=None) -> dict[str, Any]:
    """Perspective's AnalyzeCommentResponse, plus "model": the model that scored the text.

    ``house``: the current house model (house/service.CurrentModel), given when ``[analyzer]
    house_for_uncovered`` is on; a text in a language no transformer covers is then answered
    with its score instead of being refused.
    """
    languages = _language(settings, request.languages)
    # The languages answered: the request's as it spelled them ("en-US"), else the one detected.
    shown = request.requested_languages if languages else []
    first = request.attributes[0].attribute if request.attributes else None  # None: all dropped
    if any(not coverage.covers(language) for language in languages):
        if house is not None:
            return _house_answer(house, request, languages[0], shown, detected=False)
        if request.drop_unsupported:
            return _answer(request, {}, shown, NO_MODEL)  # no model has any attribute in every language
        raise language_not_supported(first, shown)  # refused before any work
    spans = _spans(settings, request, languages)
    results = _score(analyzer, settings, [request.text] + [text for _, _, text in spans],
                     _span_languages(request, languages, len(spans)))
    result = results[0]
    if not result["covered"]:
        if not languages and result["language"] is None:
            raise language_not_detected()
        if house is not None:
            return _house_answer(house, request, result["language"], shown or [result["language"]],
                                 detected=not languages)
        if request.drop_unsupported:
            return _answer(request, {}, shown or [result["language"]], result["model"], detected=not languages,
                           language=result["language"])
        raise language_not_supported(first, shown or [result["language"]])
    offsets = utf16_offsets(request.original) if request.span_annotations else []
    scores = {}
    for requested in request.attributes:
        label = ATTRIBUTES[requested.attribute]
        value = _value(result, label)
        if value is None:
            # This language's model does not produce the class behind the attribute.
            if request.drop_unsupported:
                continue
            raise language_not_supported(requested.attribute, shown or [result["language"]])
        if requested.threshold is not None and value < requested.threshold:
            continue
        scores[requested.attribute] = {"summaryScore": {"value": value, "type": PROBABILITY}}
        if request.span_annotations:
            scores[requested.attribute]["spanScores"] = _span_scores(spans, results[1:], offsets, label, value)
    return _answer(request, scores, shown or [result["language"]], result["model"], detected=not languages,
                   language=result["language"])


def _house_answer(house, request: AnalyzeRequest, language: str, shown: list[str], *,
                  detected: bool) -> dict[str, Any]:
    """Every requested attribute answered with the house model's score of the text.

    The house model predicts one thing, whether the desk would reject the comment, so each
    attribute gets that same probability (its threshold still applies); its one span is the
    whole text. "model" names the house model's version.
    """
    value = float(house.model.score([request.text], [language])[0])
    scores: dict[str, Any] = {}
    for requested in request.attributes:
        if requested.threshold is not None and value < requested.threshold:
            continue
        scores[requested.attribute] = {"summaryScore": {"value": value, "type": PROBABILITY}}
        if request.span_annotations:
            scores[requested.attribute]["spanScores"] = [
                {"begin": 0, "end": utf16_offsets(request.original)[-1],
                 "score": {"value": value, "type": PROBABILITY}}]
    return _answer(request, scores, shown, house.name, detected=detected, language=language)


def _answer(request: AnalyzeRequest, scores: dict[str, Any], languages: list[str], model: str, *,
            detected: bool = False, language: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"attributeScores": scores, "languages": languages}
    if detected:
        answer["detectedLanguages"] = [language]
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    answer["model"] = model
    return answer


def _value(result: dict[str, Any], label: str) -> float | None:
    value = result["scores"].get(label)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _spans(settings: Settings, request: AnalyzeRequest, languages: list[str]) -> list[tuple[int, int, str]]:
    """The sentences to score besides the whole text, (start, end, text) in the text as sent;
    none for a text of one sentence, whose span is the whole text."""
    if not request.span_annotations or not request.attributes:
        return []
    # The request's own texts must fit in the batcher's queue, whatever its size.
    limit = max(1, min(MAX_SPANS, settings.analyzer.max_queue - 1))
    spans = sentence_spans(request.original, languages[0] if languages else None, limit)
    if len(spans) < 2:
        return []
    return [(start, end, clean_text(request.original[start:end])) for start, end in spans]


def _span_languages(request: AnalyzeRequest, languages: list[str], sentences: int) -> list[Any]:
    """The language of each text: the request's; else the text's detected one, and for its
    sentences that same language (alone, "Merci!" in a German comment would be read as Italian
    and scored by another model): see analyzer/host.analyze_texts."""
    if languages:
        return [languages[0]] * (1 + sentences)
    return [None] + [{"detect_from": request.text[:DETECTION_PREFIX_CHARS]}] * sentences


def _span_scores(spans: list[tuple[int, int, str]], results: list[dict[str, Any]], offsets: list[int],
                 label: str, whole: float) -> list[dict[str, Any]]:
    if not spans:
        return [{"begin": 0, "end": offsets[-1], "score": {"value": whole, "type": PROBABILITY}}]
    answer = []
    for (start, end, _), result in zip(spans, results):
        value = _value(result, label)
        if value is not None:
            answer.append({"begin": offsets[start], "end": offsets[end],
                           "score": {"value": value, "type": PROBABILITY}})
    return answer


@dataclass(frozen=True)
class Suggestion:
    """A suggestscore, scored and ready to store as a label."""
    request: SuggestRequest
    model: str
    language: str | None
    scores: dict[str, Any]
    detected: bool = False  # the language is the one detected in the text (none was given, or they are ignored)


def score_suggestion(analyzer, coverage: ModelRouter, settings: Settings, request: SuggestRequest) -> Suggestion:
    """Score a suggestscore's text (no database: the label is stored afterwards, in a short
    write transaction, so that scoring never holds the database's writer)."""
    first = next(iter(request.suggested))
    languages = _language(settings, request.languages)
    if languages and coverage.model_for(languages[0]) is None:
        raise language_not_supported(first, request.requested_languages)
    [result] = _score(analyzer, settings, [request.text], [languages[0] if languages else None])
    if result["model"] == NO_MODEL:
        if not languages and result["language"] is None:
            raise language_not_detected()
        raise language_not_supported(first, request.requested_languages if languages else [result["language"]])
    return Suggestion(request, result["model"], result["language"], result["scores"], detected=not languages)


def store_suggestion(session: Session, suggestion: Suggestion, key_name: str, now: datetime) -> dict[str, Any]:
    """Store the suggestion as a label (1: rejected, from a suggested score >= 0.5) with the
    model's scores; returns Perspective's SuggestCommentScoreResponse."""
    request = suggestion.request
    label = 1 if any(value >= 0.5 for value in request.suggested.values()) else 0
    labels.store_suggested(session, key_name=key_name, client_token=request.client_token,
                           community_id=request.community_id, model=suggestion.model, language=suggestion.language,
                           scores=suggestion.scores, label=label, suggested=request.suggested, now=now)
    answer: dict[str, Any] = {}
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    if request.requested_languages:
        answer["requestedLanguages"] = request.requested_languages
    if suggestion.detected and suggestion.language is not None:
        answer["detectedLanguages"] = [suggestion.language]
    return answer
