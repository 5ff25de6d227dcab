"""One model copy per machine: the process that holds the scorer serves analyze requests of
the other processes (gunicorn workers) over a local Unix socket.

Frames are a 4-byte big-endian length and a UTF-8 JSON object. A request is
``{"texts": [...], "languages": [...], "timeout": seconds}``; the answer is
``{"results": [...]}`` or ``{"error": "unavailable" | "overloaded" | "deadline" | "internal",
"message": ...}``. The socket is created with mode 0600 before it listens, so only this
user's processes can connect; callers are authenticated by the HTTP layer beforehand. Each
side also checks the other's account (SO_PEERCRED) before anything is exchanged: a socket
planted by another account must neither receive readers' texts nor answer with its scores.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import struct
import time
from typing import Any, Callable

from moderation.analyzer.batcher import AnalyzerUnavailable, DeadlineExceeded, Overloaded

log = logging.getLogger(__name__)

MAX_FRAME = 16 * 2**20
_LENGTH = struct.Struct(">I")
_ERRORS = {"unavailable": AnalyzerUnavailable, "overloaded": Overloaded, "deadline": DeadlineExceeded}
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def peer_uid(sock: socket.socket) -> int:
    """The account of the process at the other end of a connected Unix socket (Linux)."""
    _pid, uid, _gid = _CREDENTIALS.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                          _CREDENTIALS.size))
    return uid


def send_frame(sock: socket.socket, payload: dict) -> None:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    sock.sendall(_LENGTH.pack(len(data)) + data)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket) -> dict | None:
    """The next frame, or None at the end of the connection."""
    header = _read_exactly(sock, _LENGTH.size)
    if header is None:
        return None
    (length,) = _LENGTH.unpack(header)
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes is too large")
    data = _read_exactly(sock, length)
    if data is None:
        return None
    return json.loads(data)


class AnalyzerServer(socketserver.ThreadingUnixStreamServer):
    """Serves ``analyze(texts, languages, deadline)`` on ``path``; one thread per connection."""

    daemon_threads = True

    def __init__(self, path: str, analyze: Callable[[list[str], list[str | None], float], list[dict]]) -> None:
        self.analyze = analyze
        if os.path.exists(path):
            os.unlink(path)  # left by a process that died; the caller holds the machine lock
        super().__init__(path, _Handler)

    def server_bind(self) -> None:
        super().server_bind()
        os.chmod(self.server_address, 0o600)  # before listen(): nobody else can connect

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        try:
            os.unlink(self.server_address)
        except OSError:
            pass


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        uid = peer_uid(self.request)
        if uid != os.geteuid():  # the socket's mode already keeps them out; root is the exception
            log.warning("refused an analyzer connection from uid %d", uid)
            return
        while True:
            try:
                request = read_frame(self.request)
            except (OSError, ValueError):
                return
            if request is None:
                return
            send_frame(self.request, self._answer(request))

    def _answer(self, request: dict) -> dict:
        try:
            texts, languages = request["texts"], request["languages"]
            deadline = time.monotonic() + float(request["timeout"])
            return {"results": self.server.analyze(texts, languages, deadline)}  # type: ignore[attr-defined]
        except AnalyzerUnavailable as exc:
            return {"error": "unavailable", "message": str(exc)}
        except Overloaded as exc:
            return {"error": "overloaded", "message": str(exc)}
        except DeadlineExceeded:
            return {"error": "deadline", "message": "deadline exceeded"}
        except Exception:
            log.exception("analyze request over the local socket failed")
            return {"error": "internal", "message": "the scorer failed; it has been logged"}


def call(path: str, texts: list[str], languages: list[str | None], timeout: float) -> list[dict[str, Any]]:
    """Ask the machine's scoring process; raises what its batcher raised."""
    started = time.monotonic()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            # The server answers "deadline" itself; this only guards against a hung server.
            sock.settimeout(timeout + 1.0)
            sock.connect(path)
            uid = peer_uid(sock)
            if uid != os.geteuid():
                log.error("the analyzer socket %s is served by uid %d, not by this service's account; "
                          "nothing was sent to it", path, uid)
                raise AnalyzerUnavailable(f"the analyzer socket is served by another account (uid {uid})")
            send_frame(sock, {"texts": texts, "languages": languages,
                              "timeout": max(0.0, timeout - (time.monotonic() - started))})
            answer = read_frame(sock)
    except (FileNotFoundError, ConnectionRefusedError):
        raise AnalyzerUnavailable("no scoring process serves this machine yet") from None
    except socket.timeout:
        raise DeadlineExceeded() from None
    except OSError as exc:
        raise AnalyzerUnavailable(f"the scoring process did not answer ({type(exc).__name__})") from None
    if answer is None:
        raise AnalyzerUnavailable("the scoring process closed the connection")
    if "error" in answer:
        error = _ERRORS.get(answer["error"])
        if error is None:
            raise RuntimeError(answer.get("message", "the scoring process failed"))
        raise error(answer.get("message", ""))
    return answer["results"]
