"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread that checks
every request's signature with the standardwebhooks library, as a site would."""
from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None  # None when the signature did not verify
    status: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """``statuses``: answers to give in turn (then 200); ``delay``: seconds before answering."""

    def __init__(self, port: int | None = None, *, secret: str | None = None, statuses: list[int] | None = None,
                 delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.secret = secret
        self.statuses = list(statuses or [])
        self.delay = delay
        self.requests: list[Received] = []
        self.host_headers: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        # Called with each request before it is answered (e.g. to kill the sender mid-delivery).
        self.before_response: Callable[[Received], None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/moderation"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver._handle(self, body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        try:
            payload = Webhook(self.secret).verify(body, headers) if self.secret else None
        except WebhookVerificationError:
            payload = None
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            status = self.statuses.pop(0) if self.statuses else 200
            if payload is None:
                status = 401
            record = Received(headers.get("webhook-id", ""), headers, body, payload, status)
            self.requests.append(record)
            self.host_headers.append(headers.get("host", ""))
        if self.before_response is not None:
            self.before_response(record)
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    # --- what arrived -------------------------------------------------------------------

    def verified(self) -> list[Received]:
        """Requests whose signature verified and that were answered 2xx: delivered events."""
        with self._lock:
            return [r for r in self.requests if r.payload is not None and 200 <= r.status < 300]

    def counts(self) -> Counter:
        return Counter(r.webhook_id for r in self.verified())

    def unverified(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.payload is None]

    def wait_for(self, predicate: Callable[["Receiver"], bool], timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class DrippingReceiver:
    """A raw-socket receiver that reads each request, then answers one byte every ``interval``
    seconds, forever (until stopped): after a status line, of a header line that never ends
    (``drip="headers"``), or after complete headers, of a body (``drip="body"``)."""

    def __init__(self, *, drip: str = "headers", interval: float = 0.3) -> None:
        self.port = free_port()
        self.drip = drip
        self.interval = interval
        self.webhook_ids: list[str] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/stuck"

    def start(self) -> "DrippingReceiver":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        if self._listener is not None:
            sockets.append(self._listener)
            self._listener = None
        for sock in sockets:
            try:  # wakes the threads blocked on it; a plain close would leave the port listening
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def requests(self) -> int:
        with self._lock:
            return len(self.webhook_ids)

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(connection)
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                request += chunk
            head, _, body = request.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")[1:]
            fields = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
            length = int(fields.get("content-length", "0"))
            while len(body) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                body += chunk
            with self._lock:
                self.webhook_ids.append(fields.get("webhook-id", ""))
            if self.drip == "headers":
                connection.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            else:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not self._stopped.wait(self.interval):
                connection.sendall(b"a")
        except OSError:
            pass
        finally:
            connection.close()

    def __enter__(self) -> "DrippingReceiver":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
