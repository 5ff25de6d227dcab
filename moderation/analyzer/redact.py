"""Perspective clients send the API key in the query string (``?key=…``), which access logs
print. This WSGI middleware takes the key out of the request before anything sees it: the
view reads it from the environ, and QUERY_STRING, RAW_URI and REQUEST_URI (what gunicorn's
access log prints) carry ``key=REDACTED`` instead. It runs for every path, so that a key sent
to a wrong URL is not logged either."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from moderation.logs import redact_query

KEY_ENVIRON = "moderation.query_key"


class RedactQueryKey:
    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if query:
            redacted, key = redact_query(query)
            if key is not None:
                environ[KEY_ENVIRON] = key
                environ["QUERY_STRING"] = redacted
                for name in ("RAW_URI", "REQUEST_URI"):
                    uri = environ.get(name)
                    if uri and "?" in uri:
                        path, _, raw_query = uri.partition("?")
                        environ[name] = f"{path}?{redact_query(raw_query)[0]}"
        return self.app(environ, start_response)
