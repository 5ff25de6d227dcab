"""Logging: one JSON object per line, with the request id when there is one.

Comment bodies and API keys are never passed to the logger. What servers log themselves
(request lines, query strings) goes through ``redact_query`` or ``redact_text``: the analyzer
middleware and gunicorn's logger class (server.py) share this one rule.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from urllib.parse import unquote_plus

REDACTED = "REDACTED"


def redact_query(query: str) -> tuple[str, str | None]:
    """The query with every ``key`` parameter's value replaced, and the first key's value.

    Perspective clients send the API key as ``?key=…``, and servers log query strings. A
    parameter is ``key`` whatever its encoding (``%6Bey`` is read as ``key`` too).
    """
    found = None
    parts = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        if unquote_plus(name) == "key":
            if found is None:
                found = unquote_plus(value)
            parts.append(f"{name}={REDACTED}")
        else:
            parts.append(part)
    return "&".join(parts), found


# A query inside a log message: from "?" to the end of the URL. Only whitespace and quotes end
# it, not control characters, "#" or anything else a refused request may carry, so that a
# key is hidden up to where the message quoting the URL stops (keys never hold these).
_QUERY_IN_TEXT = re.compile(r"\?([^\s'\"]*)")


def redact_text(text: str) -> str:
    """``text`` with the ``key`` parameter of every URL it quotes redacted (redact_query)."""
    if "?" not in text:
        return text
    return _QUERY_IN_TEXT.sub(lambda match: "?" + redact_query(match.group(1))[0], text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or _current_request_id()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class DatabaseError(Exception):
    """Stands in for a database error in logs: its kind and SQLSTATE, without the message."""


def redacted(error: BaseException) -> BaseException:
    """What may be logged of ``error``: a database error loses its message, keeps its traceback.

    The engine hides statement parameters, but the server's own message can still quote the
    row (PostgreSQL's "Failing row contains (...)" names the body and the author), so only
    the error's class and SQLSTATE are kept. Other exceptions are returned unchanged.
    """
    from sqlalchemy.exc import StatementError

    if not isinstance(error, StatementError):
        return error
    original = error.orig
    code = getattr(getattr(original, "diag", None), "sqlstate", None) or getattr(original, "sqlstate", None)
    kind = f"{type(error).__name__} ({type(original).__name__}{f', SQLSTATE {code}' if code else ''})"
    statement = (error.statement or "").split(None, 3)[:3]  # e.g. "INSERT INTO comments": where, never values
    stand_in = DatabaseError(f"{kind} in {' '.join(statement)}")
    return stand_in.with_traceback(error.__traceback__)


# The id of the request this thread is answering, set by the web layer's request hooks
# (observability.py), so that logging needs no web framework.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def _current_request_id() -> str | None:
    return request_id.get()


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("apscheduler.executors.default", "apscheduler.scheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
