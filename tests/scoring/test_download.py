"""Issue 11, point 2: the weights arrive by themselves, with progress, and never hang start-up.

Tests never touch the network: the download URL is configurable, and points here at HTTP
servers on 127.0.0.1 that serve a generated small checkpoint (tests/scoring/checkpoint.py),
answer nothing at all, or refuse connections.
"""
import hashlib
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from moderation.app import create_app
from moderation.runtime import Runtime
from moderation.scoring import download as download_module
from moderation.scoring.worker import ScoringWorker, score_pending
from tests.factories import headers, make_article, make_comment, make_key


class FileServer:
    """Serves ``files`` (path -> bytes) in slices with a pause between them, like a slow link."""

    def __init__(self, files: dict[str, bytes], slices: int = 20, pause: float = 0.03) -> None:
        self.requests: list[str] = []
        # Cleared: the server stops halfway through a body until the test sets it again.
        self.halfway = threading.Event()
        self.halfway.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                step = max(1, len(body) // slices)
                for start in range(0, len(body), step):
                    if start >= len(body) // 2:
                        server.halfway.wait(60)
                    self.wfile.write(body[start:start + step])
                    self.wfile.flush()
                    time.sleep(pause)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """Accepts connections and never answers: what a stuck proxy or a dead link looks like."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """A torch hub cache of this test's own (the real one is never touched)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.fixture
def published(tiny_checkpoint):
    """The checkpoint under a torch-hub-style name carrying its SHA-256 prefix."""
    data = tiny_checkpoint.read_bytes()
    name = f"tiny-detoxify-{hashlib.sha256(data).hexdigest()[:8]}.ckpt"
    server = FileServer({f"/releases/{name}": data})
    yield server, name, data
    server.close()


def downloading_runtime(runtime, settings, url: str, **scoring) -> Runtime:
    settings = settings.replace(scoring={"backend": "detoxify", "checkpoint": "", "allow_download": True,
                                         "download_url": url, "batch_size": 4,
                                         "download_connect_timeout_seconds": 2.0,
                                         "download_read_timeout_seconds": 2.0, **scoring})
    return Runtime(settings, clock=runtime.clock, database=runtime.db)


def test_weights_are_downloaded_once_with_progress_then_the_scorer_is_ready(runtime, settings, published,
                                                                            torch_home, monkeypatch, caplog):
    server, name, data = published
    monkeypatch.setattr(download_module, "LOG_EVERY_SECONDS", 0.0)  # a progress line per piece
    monkeypatch.setattr(download_module, "CHUNK", 4096)  # pieces small enough for a 0.1 MB file
    caplog.set_level(logging.INFO, logger="moderation.scoring")
    runtime = downloading_runtime(runtime, settings, server.url(f"/releases/{name}"))
    worker = ScoringWorker(runtime, detector=None)
    worker.detector = None
    runtime.scoring = worker
    client = create_app(runtime=runtime).test_client()
    comment = make_comment(runtime, make_article(runtime))

    server.halfway.clear()  # the download stays in progress until the test has looked
    loading = threading.Thread(target=worker.load_model)
    loading.start()
    try:
        assert wait_for(lambda: (worker.status().get("download") or {}).get("bytes", 0) > 0)
        scorer = client.get("/readyz").json["checks"]["scorer"]
        assert scorer["state"] == "downloading" and scorer["ok"] is False
        assert scorer["download"]["total_bytes"] == len(data) and 0 < scorer["download"]["percent"] < 100
        assert scorer["download"]["bytes_per_second"] > 0 and scorer["download"]["seconds_left"] is not None
    finally:
        server.halfway.set()
    loading.join(120)
    assert worker.status()["state"] == "ready", worker.status()
    assert client.get("/readyz").json["checks"]["scorer"]["state"] == "ready"

    assert (torch_home / name).read_bytes() == data
    assert not list(torch_home.glob("*.part"))
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"downloading {name}:")]
    assert progress and " MB of " in progress[-1] and "%" in progress[-1] and "/s" in progress[-1]
    assert "s left" in progress[0]
    assert score_pending(runtime, worker.scorer, None, worker.worker_id) == 1
    assert worker.scorer.name == f"detoxify-multilingual:{name}"

    again = ScoringWorker(runtime, detector=None)
    again.detector = None
    assert again.load_model() is True
    assert server.requests == [f"/releases/{name}"]  # once: the second start uses the cache
    assert comment.id


def test_a_server_that_never_answers_fails_within_the_read_timeout(runtime, settings, torch_home, caplog):
    silent = SilentServer()
    try:
        runtime = downloading_runtime(runtime, settings, f"http://127.0.0.1:{silent.port}/w-0b549669.ckpt",
                                      download_read_timeout_seconds=0.5)
        worker = ScoringWorker(runtime, detector=None)
        started = time.monotonic()
        assert worker.load_model() is False
        assert time.monotonic() - started < 30  # bounded, not hung (0.5 s plus loading torch)
        status = worker.status()
        assert status["state"] == "unavailable" and status["ok"] is False
        assert f"no answer from 127.0.0.1:{silent.port} within 0.5 s" in status["reason"]
        assert worker.load_model() is False  # the retry: the same reason is not logged again
        said = [r for r in caplog.records if r.levelno >= logging.WARNING and "unavailable" in r.getMessage()]
        assert len(said) == 1 and said[0].exc_info is None  # one line, no traceback
        assert not list(torch_home.glob("*"))  # nothing half-written left behind
    finally:
        silent.close()


def test_without_network_the_service_serves_and_says_why_scoring_waits(runtime, settings, torch_home):
    port = closed_port()
    runtime = downloading_runtime(runtime, settings, f"http://127.0.0.1:{port}/w-0b549669.ckpt",
                                  retry_initial_seconds=60.0)
    worker = ScoringWorker(runtime, detector=None)
    client = create_app(runtime=runtime).test_client()
    worker.start()
    try:
        assert wait_for(lambda: worker.status()["state"] == "unavailable")
        frontend = headers(make_key(runtime, "frontend"))
        make_article(runtime, "a-1")
        posted = client.post("/api/v1/articles/a-1/comments", headers=frontend,
                             json={"author": {"id": "r", "name": "R"}, "body": "Bonjour, pas de réseau ici."})
        assert posted.status_code == 202
        ready = client.get("/readyz")
        assert ready.status_code == 200
        scorer = ready.json["checks"]["scorer"]
        assert scorer["state"] == "unavailable" and f"cannot reach 127.0.0.1:{port}" in scorer["reason"]
        assert scorer["retry_in_seconds"] > 0
        assert ready.json["checks"]["backlog"]["unscored"] == 1
    finally:
        worker.stop()


def test_a_corrupted_download_is_refused(runtime, settings, tiny_checkpoint, torch_home):
    server = FileServer({"/releases/tiny-deadbeef.ckpt": tiny_checkpoint.read_bytes()}, slices=2, pause=0)
    try:
        worker = ScoringWorker(downloading_runtime(runtime, settings, server.url("/releases/tiny-deadbeef.ckpt")),
                               detector=None)
        assert worker.load_model() is False
        assert "SHA-256 does not start with deadbeef" in worker.status()["reason"]
        assert not list(torch_home.glob("*"))
    finally:
        server.close()


def test_air_gapped_sites_never_download(runtime, settings, published, torch_home):
    server, name, _ = published
    worker = ScoringWorker(downloading_runtime(runtime, settings, server.url(f"/releases/{name}"),
                                               allow_download=False), detector=None)
    assert worker.load_model() is False
    assert "allow_download is off" in worker.status()["reason"]
    assert server.requests == []


def test_model_download_command_fetches_the_configured_weights(published, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("runs once")
    server, name, data = published
    env = {"PATH": "/usr/bin:/bin", "TORCH_HOME": str(tmp_path / "torch"), "HF_HUB_OFFLINE": "1",
           "MODERATION_SCORING__DOWNLOAD_URL": server.url(f"/releases/{name}"),
           "MODERATION_SCORING__ALLOW_DOWNLOAD": "false"}  # the command downloads anyway: it was asked to
    result = subprocess.run([sys.executable, "-m", "moderation.cli", "model", "download"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "torch" / "hub" / "checkpoints" / name).read_bytes() == data
    assert f"ready: detoxify-multilingual:{name}" in result.stdout
    failed = subprocess.run([sys.executable, "-m", "moderation.cli", "model", "download"], cwd=tmp_path,
                            env={**env, "TORCH_HOME": str(tmp_path / "other"),
                                 "MODERATION_SCORING__DOWNLOAD_URL": f"http://127.0.0.1:{closed_port()}/x.ckpt"},
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and "cannot reach" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.parametrize("url,shown", [
    ("https://mirror.example.ch/w/tox-0b549669.ckpt", "https://mirror.example.ch/w/tox-0b549669.ckpt"),
    ("https://user:s3cret@mirror.example.ch:8443/w.ckpt?token=t0ken#x", "https://mirror.example.ch:8443/w.ckpt"),
    ("http://[::1]:9000/w.ckpt?sig=abc", "http://[::1]:9000/w.ckpt"),
    ("not a url", "(the configured URL)"),
])
def test_public_url_drops_credentials_and_query(url, shown):
    assert download_module.public_url(url) == shown


def test_credentials_in_the_download_url_never_reach_readyz_or_the_log(runtime, settings, torch_home, caplog):
    caplog.set_level(logging.INFO)
    port = closed_port()
    runtime = downloading_runtime(runtime, settings,
                                  f"http://reader:s3cret@127.0.0.1:{port}/w-0b549669.ckpt?token=t0ken",
                                  retry_initial_seconds=60.0)
    worker = ScoringWorker(runtime, detector=None)
    assert worker.load_model() is False
    runtime.scoring = worker
    shown = json.dumps(create_app(runtime=runtime).test_client().get("/readyz").json)
    assert f"127.0.0.1:{port}" in shown
    logged = " ".join(record.getMessage() + str(record.exc_info or "") for record in caplog.records)
    for secret in ("s3cret", "t0ken", "reader:"):
        assert secret not in shown and secret not in logged and secret not in worker.status()["reason"]
