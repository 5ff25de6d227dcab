"""The commentanalyzer v1alpha1 discovery document (Google's API Discovery format).

Google's own clients never take an endpoint: they read this document (Perspective's Python
sample builds its client with ``discoveryServiceUrl=<host>/$discovery/rest?version=v1alpha1``,
the Node one calls ``google.discoverAPI`` on that URL) and call ``rootUrl + servicePath +
path``, with the API key as ``?key=``. So the document has Perspective's resources, methods and
schemas, as Perspective's own document names them, and a ``rootUrl`` that is this service.

The schemas list the fields this service accepts and answers (analyzer/schemas.py, service.py);
clients do not check bodies against them, they only need the methods' paths.
"""
from __future__ import annotations

from typing import Any

API, VERSION = "commentanalyzer", "v1alpha1"
BATCH_PATH = "batch"

_SCORE_TYPES = ["SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"]
_SCORE_TYPE_NOTES = ["Read as PROBABILITY.", "A probability in [0, 1]: the only type this service answers.",
                     "Not answered by this service.", "Not answered by this service.",
                     "Not answered by this service."]


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _ref(name: str, description: str) -> dict[str, Any]:
    return {"$ref": name, "description": description}


def _object(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": name, "type": "object", "description": description, "properties": properties}


def _languages() -> dict[str, Any]:
    return _strings("ISO 639 or BCP-47 codes (\"fr\", \"de-CH\"); the first picks the model. None: the language "
                    "is detected.")


SCHEMAS: dict[str, Any] = {
    "AnalyzeCommentRequest": _object("AnalyzeCommentRequest", "A comment to score.", {
        "comment": _ref("TextEntry", "The comment."),
        "context": _ref("Context", "Accepted and not used."),
        "requestedAttributes": {
            "type": "object", "additionalProperties": {"$ref": "AttributeParameters"},
            "description": "The attributes to score: TOXICITY, SEVERE_TOXICITY, IDENTITY_ATTACK, INSULT, PROFANITY, "
                           "THREAT, SEXUALLY_EXPLICIT."},
        "languages": _languages(),
        "doNotStore": {"type": "boolean", "description": "Accepted: analysed text is never stored."},
        "clientToken": _string("Echoed in the response."),
        "sessionId": _string("Accepted and not used."),
        "communityId": _string("Accepted and not used."),
        "spanAnnotations": {"type": "boolean", "description": "Ask for per-span scores."},
    }),
    "AnalyzeCommentResponse": _object("AnalyzeCommentResponse", "The scores of a comment.", {
        "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"},
                            "description": "Per requested attribute (those under their scoreThreshold left out)."},
        "languages": _strings("The request's languages, or the detected one."),
        "detectedLanguages": _strings("The detected language, when the request named none."),
        "clientToken": _string("The request's clientToken."),
        "model": _string("The model that scored the comment (a field of this service, not Perspective's)."),
    }),
    "AttributeParameters": _object("AttributeParameters", "Options of one requested attribute.", {
        "scoreType": {"type": "string", "enum": _SCORE_TYPES, "enumDescriptions": _SCORE_TYPE_NOTES,
                      "description": "PROBABILITY (or unspecified) only."},
        "scoreThreshold": {"type": "number", "format": "float",
                           "description": "Leave the attribute out when its score is below this."},
    }),
    "AttributeScores": _object("AttributeScores", "The scores of one attribute.", {
        "summaryScore": _ref("Score", "The score of the whole comment."),
        "spanScores": {"type": "array", "items": {"$ref": "SpanScore"}, "description": "Per-span scores."},
    }),
    "Score": _object("Score", "A score and its type.", {
        "value": {"type": "number", "format": "float", "description": "The score."},
        "type": {"type": "string", "enum": _SCORE_TYPES, "enumDescriptions": _SCORE_TYPE_NOTES,
                 "description": "The type of value."},
    }),
    "SpanScore": _object("SpanScore", "The score of a part of the text.", {
        "begin": {"type": "integer", "format": "int32",
                  "description": "Where the span begins, in UTF-16 code units from the start of the text."},
        "end": {"type": "integer", "format": "int32", "description": "Where the span ends (exclusive), in UTF-16 "
                                                                     "code units."},
        "score": _ref("Score", "The span's score."),
    }),
    "TextEntry": _object("TextEntry", "A text.", {
        "text": _string("The text (at most 20480 bytes in UTF-8)."),
        "type": {"type": "string", "enum": ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"],
                 "enumDescriptions": ["Plain text.", "Plain text.", "Not accepted by this service."],
                 "description": "The kind of text."},
    }),
    "Context": _object("Context", "What the comment replies to: accepted and not used.", {
        "entries": {"type": "array", "items": {"$ref": "TextEntry"}, "description": "Earlier messages."},
        "articleAndParentComment": _ref("ArticleAndParentComment", "The article and the parent comment."),
    }),
    "ArticleAndParentComment": _object("ArticleAndParentComment", "An article and the comment replied to.", {
        "article": _ref("TextEntry", "The article."),
        "parentComment": _ref("TextEntry", "The comment replied to."),
    }),
    "SuggestCommentScoreRequest": _object("SuggestCommentScoreRequest", "A human's scores of a comment, stored as a "
                                          "label of the model report (the model's scores, never the text).", {
        "comment": _ref("TextEntry", "The comment."),
        "context": _ref("Context", "Accepted and not used."),
        "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"},
                            "description": "The suggested summaryScore per attribute (>= 0.5: rejected)."},
        "languages": _languages(),
        "clientToken": _string("Echoed; the same token from the same key replaces its earlier label."),
        "sessionId": _string("Accepted and not used."),
        "communityId": _string("Stored with the label."),
    }),
    "SuggestCommentScoreResponse": _object("SuggestCommentScoreResponse", "The suggestion was stored.", {
        "clientToken": _string("The request's clientToken."),
        "requestedLanguages": _strings("The request's languages."),
        "detectedLanguages": _strings("The detected language."),
    }),
}

_QUERY_PARAMETERS: dict[str, Any] = {
    "key": {"type": "string", "location": "query",
            "description": "An API key of role analyzer or admin (also accepted as X-Goog-Api-Key or a bearer token)."},
    "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"],
            "enumDescriptions": ["JSON."], "description": "Data format for the response: JSON only."},
    "prettyPrint": {"type": "boolean", "location": "query", "default": "true",
                    "description": "Accepted and not used."},
    "fields": {"type": "string", "location": "query",
               "description": "Accepted and not used: the whole response is sent."},
    "quotaUser": {"type": "string", "location": "query", "description": "Accepted and not used."},
}


def _method(name: str, description: str, request: str, response: str) -> dict[str, Any]:
    path = f"{VERSION}/comments:{name}"
    return {"id": f"{API}.comments.{name}", "path": path, "flatPath": path, "httpMethod": "POST",
            "description": description, "parameters": {}, "parameterOrder": [],
            "request": {"$ref": request}, "response": {"$ref": response}}


def document(root_url: str) -> dict[str, Any]:
    """The discovery document with every URL under ``root_url`` (ending in "/")."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"{API}:{VERSION}",
        "name": API,
        "version": VERSION,
        "title": "Perspective Comment Analyzer API, served by the comment moderation service",
        "description": "Perspective's comments:analyze and comments:suggestscore, scored by this service's own "
                       "models; analysed text is never stored.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "basePath": "",
        "batchPath": BATCH_PATH,
        "parameters": _QUERY_PARAMETERS,
        "resources": {"comments": {"methods": {
            "analyze": _method("analyze", "Scores a comment for the requested attributes.", "AnalyzeCommentRequest",
                               "AnalyzeCommentResponse"),
            "suggestscore": _method("suggestscore", "Stores a human's scores of a comment as a label.",
                                    "SuggestCommentScoreRequest", "SuggestCommentScoreResponse"),
        }}},
        "schemas": SCHEMAS,
    }
