"""Perspective's comments:analyze and comments:suggestscore on our own models.

Attributes map to our classes (PROFANITY to ``obscene``); a request's language picks the
model ([scoring.models]); the text is scored by the machine's model copy through the
dynamic batcher (analyzer/host.py). Analysed text is never stored: ``doNotStore`` is
accepted, and we behave as if it were always true. A suggestscore stores a label for the
model report (labels/): the model's scores of the text, never the text.
"""
from __future__ import annotations

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
from moderation.config import Settings
from moderation.labels import service as labels
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
    text: str
    attributes: list[Requested]
    languages: list[str]
    client_token: str | None


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    suggested: dict[str, float]
    languages: list[str]
    client_token: str | None
    community_id: str | None


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


def _text(comment: dict | None) -> str:
    text = (comment or {}).get("text")
    if not text or not text.strip():
        raise comment_empty()
    if (comment or {}).get("type") not in (None, "PLAIN_TEXT"):
        raise invalid("Currently, only 'PLAIN_TEXT' comments are supported.")
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise comment_too_long(MAX_TEXT_BYTES)
    try:
        return clean_text(text)
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
    text = _text(data["comment"])
    if not data["requestedAttributes"]:
        raise invalid("Missing requested_attributes")
    requested = []
    for attribute, options in data["requestedAttributes"].items():
        if attribute not in ATTRIBUTES:
            raise invalid(f"Unknown requested attribute: {attribute}")
        options = options or {}
        if options.get("scoreType") not in (None, PROBABILITY):
            raise invalid(f"Requested score type {options['scoreType']} is not supported by attribute {attribute}")
        requested.append(Requested(attribute, options.get("scoreThreshold")))
    return AnalyzeRequest(text=text, attributes=requested, languages=_languages(data["languages"]),
                          client_token=data["clientToken"])


def parse_suggest(body: dict) -> SuggestRequest:
    data = _load(schemas.SuggestCommentScoreRequest(), body)
    text = _text(data["comment"])
    if not data["attributeScores"]:
        raise invalid("Missing attribute_scores")
    suggested = {}
    for attribute, score in data["attributeScores"].items():
        if attribute not in ATTRIBUTES:
            raise invalid(f"Unknown attribute: {attribute}")
        suggested[attribute] = score["summaryScore"]["value"]
    for name in ("clientToken", "communityId"):
        if data[name] is not None and "\x00" in data[name]:  # stored: PostgreSQL cannot hold NUL
            raise invalid_field(name, "Contains a NUL character.")
    return SuggestRequest(text=text, suggested=suggested, languages=_languages(data["languages"]),
                          client_token=data["clientToken"], community_id=data["communityId"])


def _score(analyzer, settings: Settings, text: str, language: str | None) -> dict[str, Any]:
    try:
        [result] = analyzer.analyze([text], [language], settings.analyzer.deadline_seconds)
    except AnalyzerUnavailable:
        raise PerspectiveError(503, "The model is not ready on this machine; retry later.") from None
    except Overloaded:
        raise PerspectiveError(503, "The service is overloaded; retry later.") from None
    except DeadlineExceeded:
        raise PerspectiveError(504, "Deadline exceeded.") from None
    return result


def _language(settings: Settings, languages: list[str]) -> list[str]:
    # [analyzer] detect_languages: Coral sends its admin locale, not the comment's language.
    return [] if settings.analyzer.detect_languages else languages


def analyze(analyzer, coverage: ModelRouter, settings: Settings, request: AnalyzeRequest) -> dict[str, Any]:
    """Perspective's AnalyzeCommentResponse, plus "model": the model that scored the text."""
    first = request.attributes[0].attribute
    languages = _language(settings, request.languages)
    if languages and not coverage.covers(languages[0]):
        raise language_not_supported(first, languages)  # refused before any work
    result = _score(analyzer, settings, request.text, languages[0] if languages else None)
    if not result["covered"]:
        if not languages and result["language"] is None:
            raise language_not_detected()
        raise language_not_supported(first, languages or [result["language"]])
    scores = {}
    for requested in request.attributes:
        value = result["scores"].get(ATTRIBUTES[requested.attribute])
        if value is None or (isinstance(value, float) and math.isnan(value)):
            # This language's model does not produce the class behind the attribute.
            raise language_not_supported(requested.attribute, languages or [result["language"]])
        if requested.threshold is not None and value < requested.threshold:
            continue
        scores[requested.attribute] = {"summaryScore": {"value": value, "type": PROBABILITY}}
    answer: dict[str, Any] = {"attributeScores": scores, "languages": languages or [result["language"]]}
    if not languages:
        answer["detectedLanguages"] = [result["language"]]
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    answer["model"] = result["model"]
    return answer


@dataclass(frozen=True)
class Suggestion:
    """A suggestscore, scored and ready to store as a label."""
    request: SuggestRequest
    model: str
    language: str | None
    scores: dict[str, Any]


def score_suggestion(analyzer, coverage: ModelRouter, settings: Settings, request: SuggestRequest) -> Suggestion:
    """Score a suggestscore's text (no database: the label is stored afterwards, in a short
    write transaction, so that scoring never holds the database's writer)."""
    first = next(iter(request.suggested))
    languages = _language(settings, request.languages)
    if languages and coverage.model_for(languages[0]) is None:
        raise language_not_supported(first, languages)
    result = _score(analyzer, settings, request.text, languages[0] if languages else None)
    if result["model"] == NO_MODEL:
        if not languages and result["language"] is None:
            raise language_not_detected()
        raise language_not_supported(first, languages or [result["language"]])
    return Suggestion(request, result["model"], result["language"], result["scores"])


def store_suggestion(session: Session, suggestion: Suggestion, key_name: str, now: datetime) -> dict[str, Any]:
    """Store the suggestion as a label (1: rejected, from a suggested score >= 0.5) with the
    model's scores; returns Perspective's SuggestCommentScoreResponse."""
    request = suggestion.request
    label = 1 if any(value >= 0.5 for value in request.suggested.values()) else 0
    labels.store_suggested(session, key_name=key_name, client_token=request.client_token,
                           community_id=request.community_id, model=suggestion.model, language=suggestion.language,
                           scores=suggestion.scores, label=label, suggested=request.suggested, now=now)
    return {"clientToken": request.client_token} if request.client_token is not None else {}
