"""Runs a batch's parts (analyzer/batch.py) through the app, each as the request it holds.

Each part is served exactly as if it had come alone (its key checked and rate-limited, its
errors in Perspective's shape, suggestscore's label stored), in a thread of its own, so that
the parts wait for the model together: their analyzer is the batch's ``Gathering``, which
scores every part's text in one call.

Credentials, as in Google's batches: a part's own (``?key=``, ``X-Goog-Api-Key``,
``Authorization``); a part with none takes the outer request's.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from moderation.analyzer.batch import Answer, Gathering, Part
from moderation.analyzer.errors import PerspectiveError, key_missing
from moderation.analyzer.host import batch_analyzer
from moderation.analyzer.redact import KEY_ENVIRON
from moderation.logs import redact_query

log = logging.getLogger(__name__)

CREDENTIALS = ("x-goog-api-key", "authorization")
# Never taken from the outer request: they describe its own body and connection.
_OUTER_ONLY = {"host", "transfer-encoding", "connection", "expect", "cookie", "te", "upgrade", "keep-alive"}
# Copied from the outer request: where it came from, for whatever reads the connection.
_CONNECTION = ("REMOTE_ADDR", "REMOTE_PORT", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "wsgi.url_scheme",
               "HTTP_HOST", "SCRIPT_NAME")


def answer(wsgi_app: Callable, outer: dict[str, Any], parts: list[Part], analyzer, batch_size: int) -> list[Answer]:
    """Each part's answer, in order."""
    answers: list[Answer | None] = [None] * len(parts)
    runnable = []
    outer_has_credentials = bool(outer.get(KEY_ENVIRON)) or any(
        f"HTTP_{name.upper().replace('-', '_')}" in outer for name in CREDENTIALS)
    for index, part in enumerate(parts):
        if part.problem is not None:
            answers[index] = _error(PerspectiveError(400, part.problem))
        elif part.target is None:
            answers[index] = _error(PerspectiveError(404, "Method not found."))
        elif not outer_has_credentials and not _has_credentials(part):
            # As the app would answer it, but before it costs a thread: a caller without any
            # key may send the largest batch there is.
            answers[index] = _error(key_missing())
        else:
            runnable.append(index)
    gathering = Gathering(analyzer, len(runnable), batch_size)

    def run(index: int) -> None:
        batch_analyzer.set(gathering)  # this thread's own context: it started empty
        try:
            answers[index] = _serve(wsgi_app, outer, parts[index])
        except Exception:  # the app answers its own errors: this is a failure of ours
            log.exception("batch part %d failed", index)
            answers[index] = _error(PerspectiveError(500, "Internal error encountered."))
        finally:
            gathering.finished()

    threads = [threading.Thread(target=run, args=(index,), name=f"batch-part-{index}", daemon=True)
               for index in runnable]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [a if a is not None else _error(PerspectiveError(500, "Internal error encountered.")) for a in answers]


def _serve(wsgi_app: Callable, outer: dict[str, Any], part: Part) -> Answer:
    own = Headers([(name, value) for name, value in part.headers
                   if name.lower() not in ("host", "content-length", "transfer-encoding")])
    has_credentials = _has_credentials(part)
    headers = Headers()
    for name, value in _outer_headers(outer):
        if name.lower() in own or (has_credentials and name.lower() in CREDENTIALS):
            continue
        headers.add(name, value)
    headers.extend(own)
    environ = EnvironBuilder(path=part.target, query_string=part.query, method=part.method, headers=headers,
                             data=part.body).get_environ()
    environ.update({name: outer[name] for name in _CONNECTION if name in outer})
    if not has_credentials and outer.get(KEY_ENVIRON):
        environ[KEY_ENVIRON] = outer[KEY_ENVIRON]
    body, status, response_headers = run_wsgi_app(wsgi_app, environ, buffered=True)
    return Answer(int(status.split(" ", 1)[0]), list(response_headers.items()), b"".join(body))


def _has_credentials(part: Part) -> bool:
    """Whether a part carries a key of its own (?key=, X-Goog-Api-Key or Authorization)."""
    _, query_key = redact_query(part.query)
    return query_key is not None or any(name.lower() in CREDENTIALS for name, _ in part.headers)


def _outer_headers(outer: dict[str, Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in outer.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if not name.lower().startswith("content-") and name.lower() not in _OUTER_ONLY:
                headers.append((name, value))
    return headers


def _error(error: PerspectiveError) -> Answer:
    return Answer(error.code, [("Content-Type", "application/json")],
                  json.dumps(error.body(), ensure_ascii=False).encode())
