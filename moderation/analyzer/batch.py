"""Google's batch format, as google-api-python-client's ``new_batch_http_request()`` sends it.

A batch is one ``POST <rootUrl>batch`` of ``multipart/mixed``; each part is ``application/http``
with a ``Content-ID`` and holds one whole HTTP request (request line, headers, body). The answer
is ``multipart/mixed`` too: one part per request, in order, each ``application/http`` with
``Content-ID: <response-ID>`` holding that request's own status line, headers and body, so that
one part's error is that part's alone.

The parts' texts are scored together: ``Gathering`` stands in for the analyzer while a batch's
parts run, and makes their calls one call to the analyzer (one dynamic batch, analyzer/batcher.py).
"""
from __future__ import annotations

import copy
import http
import math
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any

from moderation.analyzer.batcher import DeadlineExceeded
from moderation.analyzer.errors import invalid

# The methods a batch may call: a batch reaches Perspective's methods and nothing else of the
# service. Matched at the end of the path, so that a public_url with a path works.
METHODS = ("/v1alpha1/comments:analyze", "/v1alpha1/comments:suggestscore")
PRINTABLE = re.compile(r"[\x20-\x7e]*")
FOLD = re.compile(r"\r?\n(?=[ \t])")


@dataclass(frozen=True)
class Part:
    """One request of a batch; ``problem`` when it cannot be read as one."""
    content_id: str | None
    method: str = ""
    path: str = ""
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    problem: str | None = None

    @property
    def target(self) -> str | None:
        """The Perspective method the part calls, or None."""
        return next((method for method in METHODS if self.path.endswith(method)), None)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def parse(content_type: str, body: bytes, max_parts: int) -> list[Part]:
    """The parts of a batch; PerspectiveError (400) when the body is no batch or too large a one."""
    try:
        header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    except UnicodeEncodeError:
        raise invalid("A batch is multipart/mixed.") from None
    message = BytesParser(policy=policy.compat32).parsebytes(header + body)
    if message.get_content_type() != "multipart/mixed" or not message.is_multipart():
        raise invalid("A batch is multipart/mixed, with a boundary, and one application/http part per request.")
    parts = message.get_payload()
    if not parts:
        raise invalid("The batch holds no request.")
    if len(parts) > max_parts:
        raise invalid(f"Too many requests in batch: at most {max_parts}.")
    return [_part(part) for part in parts]


def _part(part) -> Part:
    content_id = part.get("Content-ID")
    if isinstance(content_id, str):
        # Unfolded: Python's email generator (google-api-python-client's) folds an ID longer
        # than a line, such as HELM's, whose request ids are the texts themselves.
        content_id = FOLD.sub("", content_id)
    if content_id is not None and not (isinstance(content_id, str) and PRINTABLE.fullmatch(content_id)):
        # Echoed in the answer's headers, where only printable ASCII may go.
        return Part(None, problem="A part's Content-ID is printable ASCII.")
    if part.get("Content-Type") is not None and part.get_content_type() != "application/http":
        return Part(content_id, problem="Each part of a batch is one application/http request.")
    raw = part.get_payload(decode=True) or b""
    head, body = _split_head(raw)
    lines = head.split(b"\n")
    request_line = lines[0].rstrip(b"\r").decode("latin-1").split(" ")
    if len(request_line) != 3 or not request_line[2].startswith("HTTP/"):
        return Part(content_id, problem="A part's request begins with a request line such as "
                                        "\"POST /v1alpha1/comments:analyze HTTP/1.1\".")
    method, target, _version = request_line
    url = urllib.parse.urlsplit(target)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and headers:  # a folded header continues the one before
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip().decode('latin-1')}")
        elif b":" in line:
            name, _, value = line.partition(b":")
            headers.append((name.strip().decode("latin-1"), value.strip().decode("latin-1")))
    length = next((value for name, value in headers if name.lower() == "content-length"), None)
    if length is not None and length.isdigit() and int(length) <= len(body):
        body = body[:int(length)]
    return Part(content_id, method=method.upper(), path=url.path, query=url.query, headers=headers, body=body)


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Head and body of an HTTP message whose lines end in CRLF or, as Python's email
    generator writes them (google-api-python-client), in LF alone."""
    ends = [(index, len(separator)) for separator in (b"\r\n\r\n", b"\n\n") if (index := raw.find(separator)) >= 0]
    if not ends:
        return raw, b""
    index, size = min(ends)
    return raw[:index], raw[index + size:]


def response_id(content_id: str | None) -> str | None:
    """Google answers ``<ID>`` with ``<response-ID>``; clients find their callbacks by it."""
    if content_id is None:
        return None
    if content_id.startswith("<") and content_id.endswith(">"):
        return f"<response-{content_id[1:-1]}>"
    return f"response-{content_id}"


def render(parts: list[Part], answers: list[Answer]) -> tuple[str, bytes]:
    """The batch's answer: its Content-Type and body."""
    boundary = "batch_" + os.urandom(12).hex()
    out = []
    for part, answer in zip(parts, answers):
        head = ["Content-Type: application/http"]
        content_id = response_id(part.content_id)
        if content_id is not None:
            head.append(f"Content-ID: {content_id}")
        status = f"HTTP/1.1 {answer.status} {_reason(answer.status)}"
        lines = [f"--{boundary}", *head, "", status, *(f"{name}: {value}" for name, value in answer.headers), ""]
        out.append("\r\n".join(lines).encode("latin-1") + b"\r\n" + answer.body + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(out)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass
class _Call:
    texts: list[str]
    languages: list[str | None]
    timeout: float
    done: threading.Event = field(default_factory=threading.Event)
    results: list[Any] | None = None
    error: BaseException | None = None


def _copy(error: Exception) -> Exception:
    """One exception object per part: each thread raises (and chains) its own."""
    try:
        return copy.copy(error)
    except Exception:
        return error


class Gathering:
    """The analyzer of a batch's parts while they run, each in its thread: it holds each part's
    call until every part still running has made one (or ended without), then makes them all
    one call to ``analyzer``. The call's deadline is one request's per forward pass it needs
    (``batch_size`` texts a pass), so that a batch is refused for the work queued before it,
    never for its own size."""

    def __init__(self, analyzer, parts: int, batch_size: int) -> None:
        self._analyzer = analyzer
        self._batch_size = max(1, batch_size)
        self._cond = threading.Condition()
        self._parts = parts
        self._running = parts
        self._waiting: list[_Call] = []
        self.calls = 0

    def analyze(self, texts: list[str], languages: list[str | None], timeout: float) -> list[Any]:
        call = _Call(list(texts), list(languages), timeout)
        with self._cond:
            self._waiting.append(call)
            self._running -= 1
            ready = self._take()
        if ready:
            self._score(ready)
        # A part stuck before its call would hold the others forever: give up at the deadline
        # that a call holding every part's texts would have.
        if not call.done.wait(timeout * self._passes(len(texts) * self._parts)):
            with self._cond:
                if call in self._waiting:
                    self._waiting.remove(call)
                    self._running += 1
                    raise DeadlineExceeded()
            call.done.wait()  # taken: the analyzer's own deadline ends the call
        if call.error is not None:
            raise call.error
        return call.results or []

    def finished(self) -> None:
        """A part has ended (whether or not it called the analyzer)."""
        with self._cond:
            self._running -= 1
            ready = self._take()
        if ready:
            self._score(ready)

    def _passes(self, texts: int) -> int:
        return max(1, math.ceil(texts / self._batch_size))

    def _take(self) -> list[_Call] | None:
        if self._running > 0 or not self._waiting:
            return None
        ready, self._waiting = self._waiting, []
        self._running += len(ready)
        return ready

    def _score(self, ready: list[_Call]) -> None:
        texts = [text for call in ready for text in call.texts]
        languages = [language for call in ready for language in call.languages]
        self.calls += 1
        try:
            results = self._analyzer.analyze(texts, languages, min(call.timeout for call in ready)
                                             * self._passes(len(texts)))
        except Exception as exc:  # each part answers it as its own error (503, 504)
            for call in ready:
                call.error = _copy(exc)
        else:
            start = 0
            for call in ready:
                call.results = results[start:start + len(call.texts)]
                start += len(call.texts)
        finally:
            for call in ready:
                call.done.set()
