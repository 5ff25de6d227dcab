"""Marshmallow pieces shared by every domain's schemas."""
from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from moderation.articles.models import ARTICLE_ID_PATTERN, ARTICLE_ID_RULE
from moderation.clock import utc_iso
from moderation.closing.policy import MAX_WINDOW_HOURS
from moderation.text import (  # noqa: F401  (patterns re-exported for the schemas of every domain)
    RECEIVER_URL_PATTERN,
    URL_PATTERN,
    VISIBLE,
    VISIBLE_IN_NAMES,
    InvalidText,
    clean_text,
    strip_bidi_controls,
)

ARTICLE_ID = validate.Regexp(ARTICLE_ID_PATTERN, error=ARTICLE_ID_RULE)

# Times in cursors: what this API writes, 1970 to 2100 in UTC (input date-times are bounded by
# their written year, see UtcDateTime). Every deadline computed from such a time (at most a
# year later) stays a valid date: no OverflowError anywhere downstream.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2101, 1, 1, tzinfo=timezone.utc)  # exclusive
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


class Contains(validate.Regexp):
    """Valid when the pattern is found anywhere in the value (JSON Schema's ``pattern``
    semantics), documented as that pattern: the server checks exactly what the document says."""

    def __call__(self, value: str) -> str:
        if self.regex.search(value) is None:
            raise ValidationError(self._format_error(value))
        return value


# Free text that is matched against the database but never cleaned (filters, ids): NUL cannot
# be stored or compared by PostgreSQL, so it is refused, as the document states.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Must not contain NUL characters.")


class StrictSchema(Schema):
    """Unknown fields are errors: a typo in a field name must not be silently ignored."""


class CleanText(fields.String):
    """A string normalised by ``clean_text``; ``blank=False`` refuses empty or whitespace-only text;
    ``no_bidi_controls=True`` drops bidirectional overrides, embeddings and isolates (for names
    shown beside other people's text; bodies keep them)."""

    def __init__(self, *args: Any, blank: bool = True, single_line: bool = False, no_bidi_controls: bool = False,
                 **kwargs: Any) -> None:
        if not blank:
            # Documented as a pattern, so that the OpenAPI document says what "not blank" means.
            visible = Contains(VISIBLE_IN_NAMES if no_bidi_controls else VISIBLE, error="Must not be empty.")
            given = kwargs.get("validate")
            kwargs["validate"] = [visible, *(given if isinstance(given, (list, tuple)) else [given] if given else [])]
        super().__init__(*args, **kwargs)
        self.blank = blank
        self.single_line = single_line
        self.no_bidi_controls = no_bidi_controls

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        # Lengths are documented (and so checked) on the text as sent; they are checked again
        # after cleaning, which normalisation may rarely lengthen, so that nothing overflows.
        for validator in self.validators:
            if isinstance(validator, validate.Length):
                validator(text)
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


EARLIEST_YEAR, LATEST_YEAR = 1970, 2100
# The written year is 1970-2100 (whatever the offset, the UTC time then never overflows).
YEAR_PATTERN = r"^(19[7-9][0-9]|20[0-9][0-9]|2100)-"


class UtcDateTime(fields.DateTime):
    """RFC 3339 with an explicit offset; returned in UTC. Naive times are refused, and so are
    years outside 1970-2100 as written. ``bounded=True`` (input fields) documents that bound."""

    def __init__(self, *, bounded: bool = False, **kwargs: Any) -> None:
        if bounded:
            kwargs.setdefault("metadata", {}).setdefault("pattern", YEAR_PATTERN)
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        if not isinstance(value, str):
            raise ValidationError("Must be an RFC 3339 date-time string with an offset.")
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            raise ValidationError("Must include a UTC offset (e.g. 2026-11-25T08:00:00+01:00 or ...Z).")
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise ValidationError(f"The year must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return moment.astimezone(timezone.utc)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any):
        return utc_iso(value)



MAX_ADDRESS_LENGTH = 45  # the column; the longest textual IPv6 address without a zone id


def normalise_address(value: str) -> str:
    """An IPv4 or IPv6 address in its canonical text form; ValueError if it is none.

    IPv6 zone ids ("fe80::1%eth0") are refused: they name an interface of the machine that
    saw the address, never a reader, and they would not fit the column.
    """
    parsed = ipaddress.ip_address(value.strip())
    if getattr(parsed, "scope_id", None):
        raise ValueError("an IPv6 zone id is not a reader's address")
    address = str(parsed)
    if len(address) > MAX_ADDRESS_LENGTH:  # cannot happen without a zone id; the column's guard
        raise ValueError(f"longer than {MAX_ADDRESS_LENGTH} characters")
    return address


class IpAddress(fields.String):
    """A reader's IPv4 or IPv6 address, stored in canonical form (e.g. "2001:db8::1")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(
            {"description": "IPv4 or IPv6 address, without an IPv6 zone id (its canonical form is stored)",
             "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text != text.strip():
            raise ValidationError("Not a valid IPv4 or IPv6 address (no spaces around it).")
        try:
            return normalise_address(text)
        except ValueError as exc:
            if "zone id" in str(exc):
                raise ValidationError("Not a reader's address: IPv6 zone ids are refused.") from None
            raise ValidationError("Not a valid IPv4 or IPv6 address.") from None


class Hours(fields.Float):
    """A window in hours: positive, at most a year, fractions allowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=0, min_inclusive=False, max=MAX_WINDOW_HOURS))
        # OpenAPI 3.0 spells "greater than 0" as minimum 0 with exclusiveMinimum true.
        kwargs.setdefault("metadata", {}).setdefault("exclusiveMinimum", True)
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


def decode_cursor_head(cursor: str) -> str:
    """The first element of a cursor made by ``encode_listing_cursor`` (the listing it belongs to)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor returned by this API") from None
    if not isinstance(values, list) or not values or not isinstance(values[0], str):
        raise ValueError("not a cursor returned by this API")
    return values[0]


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
    return [cursor_time(v) if t is datetime else v for v, t in zip(values[1:], types)]


def encode_listing_cursor(prefix: str, values: list | None) -> str | None:
    if values is None:
        return None
    return encode_cursor([prefix, *[v.isoformat() if isinstance(v, datetime) else v for v in values]])


def cursor_field(listing: str) -> fields.String:
    """The ``cursor`` parameter of a listing: a previous page's ``next_cursor``, opaque.

    Documented with a format of its own ("<listing>-cursor"), because only strings this API
    made are cursors: a client passes them back, it never builds one.
    """
    return fields.String(load_default=None, validate=validate.Length(max=500), metadata={
        "format": f"{listing}-cursor",
        "description": f"The next_cursor of a previous page of this listing (opaque; a {listing}-cursor)"})


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """The one error envelope."""

    error = fields.Nested(ErrorBody, required=True)
