"""Perspective's error shape, used on the /v1alpha1 routes only (the rest of the API keeps
our own envelope): ``{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}``,
as Google's APIs answer, so that Perspective clients recognise them."""
from __future__ import annotations

from typing import Any

STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
          500: "INTERNAL",
          503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


class PerspectiveError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": STATUS.get(self.code, "UNKNOWN")}}


def invalid(message: str) -> PerspectiveError:
    return PerspectiveError(400, message)


def language_not_supported(attribute: str, languages: list[str]) -> PerspectiveError:
    return PerspectiveError(400, f"Attribute {attribute} does not support request languages: {', '.join(languages)}")
