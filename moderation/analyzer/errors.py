"""Perspective's error shape, used on the /v1alpha1 routes only (the rest of the API keeps
our own envelope): ``{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
"details": [...]}}``, as Google's APIs answer, so that Perspective clients recognise them.

``details`` is what clients branch on: Perspective's ``errorType`` (a client drops an
attribute on LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE and asks again), the field a
``google.rpc.BadRequest`` names, the reason a ``google.rpc.ErrorInfo`` gives for a key.
"""
from __future__ import annotations

from typing import Any

STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
          500: "INTERNAL",
          503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
ANALYZER_ERROR = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class PerspectiveError(Exception):
    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "status": STATUS.get(self.code, "UNKNOWN")}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> PerspectiveError:
    return PerspectiveError(400, message)


def invalid_field(field: str, description: str) -> PerspectiveError:
    """A field's value refused, named by its path in the request body (``comment.text``,
    ``attributeScores.TOXICITY.spanScores[0].begin``)."""
    return PerspectiveError(400, f"Invalid value at '{field}': {description}", [
        {"@type": BAD_REQUEST, "fieldViolations": [{"field": field, "description": description}]}])


def _analyzer_error(error_type: str, message: str, **detail: Any) -> PerspectiveError:
    return PerspectiveError(400, message, [{"@type": ANALYZER_ERROR, "errorType": error_type, **detail}])


def comment_empty() -> PerspectiveError:
    return _analyzer_error("COMMENT_EMPTY", "Comment must be non-empty.")


def comment_too_long(limit: int) -> PerspectiveError:
    return _analyzer_error("COMMENT_TOO_LONG", f"Comment text was too many bytes (at most {limit}).")


def language_not_detected() -> PerspectiveError:
    return _analyzer_error("LANGUAGE_NOT_DETECTED", "Unable to detect language")


def language_not_supported(attribute: str, languages: list[str]) -> PerspectiveError:
    """``languages``: the request's, as it gave them, or the one detected."""
    return _analyzer_error("LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                           f"Attribute {attribute} does not support request languages: {', '.join(languages)}",
                           languageNotSupportedByAttributeError={"detectedLanguages": list(languages),
                                                                 "attribute": attribute})


def _key_error(code: int, message: str, reason: str) -> PerspectiveError:
    return PerspectiveError(code, message, [{"@type": ERROR_INFO, "reason": reason, "domain": "googleapis.com"}])


def key_missing() -> PerspectiveError:
    return PerspectiveError(403, "The request is missing a valid API key.")


def key_invalid() -> PerspectiveError:
    # Google answers an unknown key with 400, not 401 or 403: clients match on it.
    return _key_error(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")


def key_blocked(role: str, needed: str) -> PerspectiveError:
    """A valid key that may not call the analyzer, as Google refuses a key restricted to other APIs."""
    return _key_error(403, f"This API key (role {role}) may not call the analyzer: it needs role {needed} or admin.",
                      "API_KEY_SERVICE_BLOCKED")
