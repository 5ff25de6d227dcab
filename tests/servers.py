"""Real servers for tests that go over HTTP: gunicorn with the app, on a free local port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, tmp_path, workers: int = 2, **environment: str) -> subprocess.Popen:
    """gunicorn serving the app on 127.0.0.1:port against the database at ``url``; returns
    once /healthz answers (generous deadline: the machine may be busy)."""
    env = {**os.environ, "MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "fake",
           "MODERATION_SCORING__POLL_INTERVAL_SECONDS": "0.2", "MODERATION_CLOSING__SWEEP_INTERVAL_SECONDS": "1",
           "MODERATION_RATELIMIT__ENABLED": "false", "MODERATION_API__KEY_CACHE_SECONDS": "30",
           # Batches claimed by killed workers return to the backlog when their lease ends.
           "MODERATION_SCORING__CLAIM_SECONDS": "3", **environment}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--control-socket", str(tmp_path / "gunicorn.ctl"),
         "moderation.server:application()"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "server.log", "ab"), start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("server did not start: " + (tmp_path / "server.log").read_text()[-2000:])


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)
