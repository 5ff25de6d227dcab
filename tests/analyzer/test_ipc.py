"""The local socket between serving processes and the machine's model copy: a socket served
by another local account never receives a reader's text (issue 20, point 4)."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time

import pytest

from moderation.analyzer import ipc
from moderation.analyzer.batcher import AnalyzerUnavailable

NOBODY = 65534
SECRET = "Mon adresse est rue des Alpes 12, appelez-moi"


def _serve_as_another_account(path: str, report: int) -> None:
    """In a forked child: become ``NOBODY``, listen on ``path``, report what the client sent."""
    try:
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            server.listen(1)
            server.settimeout(60)
            connection, _ = server.accept()
            connection.settimeout(10)
            received = b""
            try:
                while chunk := connection.recv(65536):
                    received += chunk
                    # A well-behaved client waits for an answer here: give it one that looks real.
                    if len(received) >= 4 and len(received) >= 4 + int.from_bytes(received[:4], "big"):
                        ipc.send_frame(connection, {"results": [{"language": "fr", "detected": None,
                                                                 "model": "impostor", "scores": {"toxicity": 0.0},
                                                                 "covered": True}]})
            except OSError:
                pass
            os.write(report, str(len(received)).encode())
    finally:
        os._exit(0)


def test_client_refuses_a_socket_served_by_another_account():
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another account")
    # pytest's own folders are private to root: the other account gets one of its own.
    folder = tempfile.mkdtemp(prefix="moderation-ipc-")
    os.chown(folder, NOBODY, NOBODY)
    path = os.path.join(folder, "analyzer.sock")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        _serve_as_another_account(path, write)
    os.close(write)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.exists(path)
        # Listening starts right after bind: connect() until it is accepted.
        with pytest.raises(AnalyzerUnavailable, match="another account"):
            while True:
                try:
                    ipc.call(path, [SECRET], ["fr"], timeout=5)
                except AnalyzerUnavailable as exc:
                    if "another account" in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
                    continue
                break
        received = b""
        while chunk := os.read(read, 64):
            received += chunk
        assert received == b"0", "the text was sent to a socket of another account"
    finally:
        os.close(read)
        os.waitpid(child, 0)
        shutil.rmtree(folder, ignore_errors=True)
