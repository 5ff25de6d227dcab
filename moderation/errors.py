"""Domain errors and the one error envelope: {"error": {"code", "message", "details"}}.

Domain code raises ``ApiError`` subclasses without knowing about HTTP frameworks; the web
layer registers ``register_error_handlers`` once, which renders every error the same way.
"""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    code = "bad_request"
    message = "The request cannot be processed."

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details or {}
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidJson(ApiError):
    status, code, message = 400, "invalid_json", "The request body is not valid JSON."


class Unauthorized(ApiError):
    status, code, message = 401, "unauthorized", "A valid API key is required (Authorization: Bearer <key>)."


class Forbidden(ApiError):
    status, code, message = 403, "forbidden", "This API key's role may not do this."


class AddressRefused(ApiError):
    status, code, message = 403, "address_refused", "Deliveries to this address are refused by configuration."


class AuthorBanned(ApiError):
    status, code, message = 403, "author_banned", "This author may not post comments."


class NotFound(ApiError):
    status, code, message = 404, "not_found", "Not found."


class MethodNotAllowed(ApiError):
    status, code, message = 405, "method_not_allowed", "Method not allowed."


class Conflict(ApiError):
    status, code, message = 409, "conflict", "The resource changed; reload it and try again."


class CommentsClosed(ApiError):
    status, code, message = 409, "comments_closed", "Comments on this article are closed."


class CommentsPaused(ApiError):
    # Its own code: the thread is open and will take comments again at details.resumes_at.
    status, code, message = 409, "comments_paused", "Comments on this article are paused during quiet hours."


class InvalidParent(ApiError):
    status, code, message = 409, "invalid_parent", "The parent must be an approved comment of the same article."


class Duplicate(ApiError):
    status, code, message = 409, "duplicate", "The same comment was just posted."


class PayloadTooLarge(ApiError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "unsupported_media_type", "Send the body as application/json."


class ValidationError(ApiError):
    status, code, message = 422, "validation_error", "The request is not valid."


class IdempotencyKeyReused(ApiError):
    status, code, message = 422, "idempotency_key_reused", \
        "This Idempotency-Key was already used for a different request."


class RateLimited(ApiError):
    status, code, message = 429, "rate_limited", "Too many requests; retry later."


class Unavailable(ApiError):
    status, code, message = 503, "unavailable", "The service is temporarily unavailable; retry later."


class InternalError(ApiError):
    status, code, message = 500, "internal_error", "Something went wrong on our side; it has been logged."


def validation_error(field: str, message: str) -> ValidationError:
    """A 422 for one field, in the same details shape as schema violations."""
    return ValidationError(details={field: [message]})
