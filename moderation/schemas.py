"""Marshmallow pieces shared by every domain's schemas."""
from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
import sys
from datetime import datetime, timedelta, timezone
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


# --- the API's cursors --------------------------------------------------------------------
# A cursor is text that one regular expression describes exactly, and every string it matches
# is a position the server accepts: the document states that pattern, so a client generating
# values from the document (schemathesis with its defaults) is never refused a cursor it was
# allowed to send. Positions outside the data are positions all the same (before or after
# everything): a date-time past 2100 or a huge score is clamped, never an error.
#   int       a row id: 1-18 digits (always below 2**63)
#   datetime  microseconds since 1970-01-01 UTC: 1-16 digits
#   float     a score, written %.17e (exact) without the exponent's "+" (a "+" pasted into
#             a query string would read as a space)
_PARTS = {int: r"[0-9]{1,18}", datetime: r"[0-9]{1,16}", float: r"-?[0-9]\.[0-9]{17}e-?[0-9]{2,3}"}
_MICROSECOND = timedelta(microseconds=1)


class CursorCodec:
    """The cursors of one listing: ``kinds`` maps each kind's tag (the order it continues)
    to the types of its values, e.g. {"oldest": (datetime, int)}."""

    def __init__(self, listing: str, kinds: dict[str, tuple[type, ...]]) -> None:
        self.listing, self.kinds = listing, kinds
        alternatives = ["_".join([re.escape(tag), *[_PARTS[t] for t in types]]) for tag, types in kinds.items()]
        self.pattern = "^(?:" + "|".join(alternatives) + ")$"
        self._regex = re.compile(self.pattern)
        self.max_length = max(len(tag) + sum(1 + {int: 18, datetime: 16, float: 25}[t] for t in types)
                              for tag, types in kinds.items())

    def encode(self, kind: str, values: list | tuple | None) -> str | None:
        if values is None:
            return None
        parts = [kind]
        for value, expected in zip(values, self.kinds[kind]):
            if expected is datetime:
                parts.append(str((value.astimezone(timezone.utc) - EARLIEST) // _MICROSECOND))
            elif expected is float:
                parts.append(("%.17e" % value).replace("e+", "e"))
            else:
                parts.append(str(int(value)))
        return "_".join(parts)

    def decode(self, raw: str) -> tuple[str, list]:
        """(kind, values) of a cursor; ValueError for text the pattern does not match."""
        if not self.matches(raw):
            raise ValueError(f"not a {self.listing} cursor returned by this API")
        kind, *texts = raw.split("_")
        values: list[Any] = []
        for text, expected in zip(texts, self.kinds[kind]):
            if expected is datetime:
                values.append(min(EARLIEST + int(text) * _MICROSECOND, LATEST - _MICROSECOND))
            elif expected is float:
                number = float(text)
                values.append(math.copysign(sys.float_info.max, number) if math.isinf(number) else number)
            else:
                values.append(int(text))
        return kind, values

    def matches(self, raw: str) -> bool:
        # fullmatch: Python's "$" also matches before a final line break, JSON Schema's does not.
        return self._regex.fullmatch(raw) is not None

    def field(self) -> fields.String:
        """The ``cursor`` query parameter: a previous page's ``next_cursor``."""
        def check(value: str) -> None:
            if not self.matches(value):
                raise ValidationError("Not a cursor of this listing.")

        checks = [validate.Length(max=self.max_length), check]
        return fields.String(load_default=None, validate=checks,
                             metadata={"pattern": self.pattern, "description":
                                       f"The next_cursor of a previous page of this listing ({self.listing})"})


# "c": (created_at, id); "f": featured first, (rank: 0 featured / 1 not, created_at, id).
THREAD_CURSORS = CursorCodec("thread", {"c": (datetime, int), "f": (int, datetime, int)})
QUEUE_CURSORS = CursorCodec("queue", {"oldest": (datetime, int), "newest": (datetime, int),
                                      "toxicity": (float, datetime, int), "house": (float, datetime, int)})
LOG_CURSORS = CursorCodec("log", {"log": (int,)})
DELIVERY_CURSORS = CursorCodec("deliveries", {"deliveries": (int,)})
ATTEMPT_CURSORS = CursorCodec("attempts", {"attempts": (int,)})


# The public reads' caching headers, as the OpenAPI document describes them.
PUBLIC_CACHE_HEADERS = {
    "ETag": {"description": "Strong validator of this representation (send it back as If-None-Match)",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age=<[public] max_age>, stale-while-revalidate=<…>",
                      "schema": {"type": "string"}},
    "Surrogate-Key": {"description": "article-<id>: purge it from a CDN when a thread.changed webhook names "
                                     "the article", "schema": {"type": "string"}},
}
NOT_MODIFIED = "Not modified: the copy named by If-None-Match is current (no body)"


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    """The one error envelope."""

    error = fields.Nested(ErrorBody, required=True)
