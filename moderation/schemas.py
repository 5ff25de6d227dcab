"""Marshmallow pieces shared by every domain's schemas."""
from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from moderation.articles.models import ARTICLE_ID_PATTERN, ARTICLE_ID_RULE
from moderation.clock import utc_iso
from moderation.text import InvalidText, clean_text, strip_bidi_controls

ARTICLE_ID = validate.Regexp(ARTICLE_ID_PATTERN, error=ARTICLE_ID_RULE)


class StrictSchema(Schema):
    """Unknown fields are errors: a typo in a field name must not be silently ignored."""


class CleanText(fields.String):
    """A string normalised by ``clean_text``; ``blank=False`` refuses empty or whitespace-only text;
    ``no_bidi_controls=True`` drops bidirectional overrides, embeddings and isolates (for names
    shown beside other people's text; bodies keep them)."""

    def __init__(self, *args: Any, blank: bool = True, single_line: bool = False, no_bidi_controls: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blank = blank
        self.single_line = single_line
        self.no_bidi_controls = no_bidi_controls

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text = clean_text(text)
        except InvalidText as exc:
            raise ValidationError(str(exc)) from None
        if self.no_bidi_controls:
            text = strip_bidi_controls(text)
        if self.single_line:
            text = " ".join(text.split())
        if not self.blank and not text.strip():
            raise ValidationError("Must not be empty.")
        return text


def author_id_field(**kwargs: Any) -> "CleanText":
    """An author's id as the frontend sends it: normalised the same way wherever it is given,
    so that the id a moderator bans is the id intake stored."""
    metadata = {"description": "The site's id for the author: any characters but control characters, "
                               "normalised (NFC, runs of spaces as one)"}
    return CleanText(required=True, blank=False, single_line=True, validate=validate.Length(max=128),
                     metadata=metadata, **kwargs)


class UtcDateTime(fields.DateTime):
    """RFC 3339 with an explicit offset; returned in UTC. Naive times are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        if not isinstance(value, str):
            raise ValidationError("Must be an RFC 3339 date-time string with an offset.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            raise ValidationError("Must include a UTC offset (e.g. 2026-11-25T08:00:00+01:00 or ...Z).")
        if moment.year < 1970 or moment.year > 9998:
            raise ValidationError("Must be between 1970 and 9998.")
        return moment.astimezone(timezone.utc)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any):
        return utc_iso(value)



MAX_ADDRESS_LENGTH = 45  # the column; the longest textual IPv6 address without a zone id


def normalise_address(value: str) -> str:
    """An IPv4 or IPv6 address in its canonical text form; ValueError if it is none or too long."""
    address = str(ipaddress.ip_address(value.strip()))
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValueError(f"longer than {MAX_ADDRESS_LENGTH} characters")
    return address


class IpAddress(fields.String):
    """A reader's IPv4 or IPv6 address, stored in canonical form (e.g. "2001:db8::1")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(
            {"description": "IPv4 or IPv6 address (canonical form is stored)", "maxLength": MAX_ADDRESS_LENGTH})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_address(text)
        except ValueError as exc:
            if "longer" in str(exc):
                raise ValidationError(f"Too long: at most {MAX_ADDRESS_LENGTH} characters.") from None
            raise ValidationError("Not a valid IPv4 or IPv6 address.") from None


class Hours(fields.Float):
    """A window in hours: positive, at most ten years, fractions allowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=0, min_inclusive=False, max=87600))
        super().__init__(allow_nan=False, **kwargs)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """Decode an opaque cursor made by ``encode_cursor``; ValueError when it was not."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor returned by this API") from None
    if not isinstance(values, list) or len(values) != len(types):
        raise ValueError("not a cursor returned by this API")
    for value, expected in zip(values, types):
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError("not a cursor returned by this API")
    return values


def decode_listing_cursor(raw: str | None, types: tuple, prefix: str) -> list | None:
    """Decode a cursor of one listing; its first element names the listing and order.

    ``types`` are the types of the remaining elements (``datetime`` for RFC 3339 times).
    Raises ``ValueError`` for anything this API did not make.
    """
    if not raw:
        return None
    values = decode_cursor(raw, (str, *[str if t is datetime else t for t in types]))
    if values[0] != prefix:
        raise ValueError("this cursor belongs to another listing or order")
    return [_cursor_time(v) if t is datetime else v for v, t in zip(values[1:], types)]


def encode_listing_cursor(prefix: str, values: list | None) -> str | None:
    if values is None:
        return None
    return encode_cursor([prefix, *[v.isoformat() if isinstance(v, datetime) else v for v in values]])


def _cursor_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("not a cursor returned by this API")
    return moment


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """The one error envelope."""

    error = fields.Nested(ErrorBody, required=True)
