"""Marshmallow pieces shared by every domain's schemas."""
from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from moderation.articles.models import ARTICLE_ID_PATTERN, ARTICLE_ID_RULE
from moderation.clock import utc_iso
from moderation.text import InvalidText, clean_text

ARTICLE_ID = validate.Regexp(ARTICLE_ID_PATTERN, error=ARTICLE_ID_RULE)

# Dates the API accepts and stores (publication times, cursors): years 1970 to 2100 in UTC.
# Far enough for any article, and every deadline computed from them (at most a year later)
# stays a valid date: no OverflowError anywhere downstream.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2101, 1, 1, tzinfo=timezone.utc)  # exclusive
# Longest comment window, in hours (a year): for the site setting, an article's and a reopening.
MAX_WINDOW_HOURS = 8760
# Ids are 64-bit signed integers in PostgreSQL and SQLite.
MAX_ID = 2**63 - 1


def bounded_utc(moment: datetime) -> datetime:
    """``moment`` in UTC if it lies within [EARLIEST, LATEST); ValueError otherwise (never OverflowError)."""
    if moment.tzinfo is None:
        raise ValueError("Must include a UTC offset (e.g. 2026-11-25T08:00:00+01:00 or ...Z).")
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError("Must be between 1970 and 2100.") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError("Must be between 1970 and 2100.")
    return utc


class StrictSchema(Schema):
    """Unknown fields are errors: a typo in a field name must not be silently ignored."""


class CleanText(fields.String):
    """A string normalised by ``clean_text``; ``blank=False`` refuses empty or whitespace-only text."""

    def __init__(self, *args: Any, blank: bool = True, single_line: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blank = blank
        self.single_line = single_line

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text = clean_text(text)
        except InvalidText as exc:
            raise ValidationError(str(exc)) from None
        if self.single_line:
            text = " ".join(text.split())
        if not self.blank and not text.strip():
            raise ValidationError("Must not be empty.")
        return text


class UtcDateTime(fields.DateTime):
    """RFC 3339 with an explicit offset; returned in UTC. Naive times are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        if not isinstance(value, str):
            raise ValidationError("Must be an RFC 3339 date-time string with an offset.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return bounded_utc(moment)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any):
        return utc_iso(value)



class Hours(fields.Float):
    """A window in hours: positive, at most a year (MAX_WINDOW_HOURS), fractions allowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=0, min_inclusive=False, max=MAX_WINDOW_HOURS))
        super().__init__(allow_nan=False, **kwargs)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """Decode an opaque cursor made by ``encode_cursor``; ValueError when it was not.

    Values this API never writes are refused here, before they reach a query: integers
    outside the 64-bit id range and floats that are not finite (``cursor_time`` does the
    same for dates).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor returned by this API") from None
    if not isinstance(values, list) or len(values) != len(types):
        raise ValueError("not a cursor returned by this API")
    decoded = []
    for value, expected in zip(values, types):
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            try:
                value = float(value)
            except OverflowError:
                raise ValueError("not a cursor returned by this API") from None
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError("not a cursor returned by this API")
        if expected is int and not 0 <= value <= MAX_ID:
            raise ValueError("not a cursor returned by this API")
        if expected is float and not math.isfinite(value):
            raise ValueError("not a cursor returned by this API")
        decoded.append(value)
    return decoded


def cursor_time(value: str) -> datetime:
    """A date-time from a cursor, in UTC; ValueError unless this API could have written it."""
    try:
        return bounded_utc(datetime.fromisoformat(value))
    except ValueError:
        raise ValueError("not a cursor returned by this API") from None


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
