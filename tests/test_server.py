"""Keys never reach gunicorn's logs, not even for requests gunicorn refuses before the
application (and its redacting middleware) sees them: two Host headers, a control character
in the request line. Both ways of serving are run for real: gunicorn with the shipped
deploy/gunicorn.conf.py, and `moderation serve`.
"""
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from gunicorn.config import Config

from moderation.server import KeyRedactingLogger, _RedactFilter, embedded_settings
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "gunicorn.conf.py"
ANALYZE = "/v1alpha1/comments:analyze"


def environment(tmp_path, **extra):
    return {**os.environ, "MODERATION_DATABASE__URL": f"sqlite:///{tmp_path}/server.db",
            "MODERATION_SCORING__BACKEND": "fake", "MODERATION_CLOSING__RUN_SCHEDULER": "false",
            "MODERATION_RATELIMIT__ENABLED": "false", "MODERATION_WEBHOOKS__RUN_WORKER": "false",
            # instance/runtime under pytest's folder would be too long a path for a Unix socket
            "MODERATION_SERVER__RUNTIME_DIR": str(tmp_path / "run"), **extra}


def wait_until_serving(server, port, log):
    deadline = time.monotonic() + 120  # a busy shared machine: generous
    while time.monotonic() < deadline:
        assert server.poll() is None, "server exited: " + log.read_text()[-3000:]
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("server did not start: " + log.read_text()[-3000:])


def send(port, raw: bytes) -> bytes:
    """One request as written, over a socket of its own; the whole answer (gunicorn closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def wait_for_lines(path, *needles, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if all(needle in text for needle in needles):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{needles} not in {path.name}: {text[-3000:]}")


def stop(server):
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)


def test_the_configuration_file_keeps_the_documented_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("MODERATION_BIND", raising=False)
    monkeypatch.setenv("MODERATION_SERVER__RUNTIME_DIR", str(tmp_path / "run"))
    conf = runpy.run_path(str(CONF))
    assert conf["control_socket"] == str(tmp_path / "run" / "gunicorn.ctl")
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (2, "gthread", 8)
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["wsgi_app"] == "moderation.server:application()"
    assert conf["logger_class"] == "moderation.server.KeyRedactingLogger"
    monkeypatch.setenv("MODERATION_BIND", "127.0.0.1:9000")
    assert runpy.run_path(str(CONF))["bind"] == "127.0.0.1:9000"


def test_gunicorn_with_the_configuration_file_logs_no_key(tmp_path):
    port = free_port()
    access, errors, output = tmp_path / "access.log", tmp_path / "error.log", tmp_path / "server.log"
    # The request's headers in the access log too, to see that a key sent there is hidden as well.
    access_format = '"%(r)s" %(s)s %(q)s "%({authorization}i)s" "%({x-goog-api-key}i)s" "%({raw_uri}e)s"'
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--access-logfile", str(access),
         "--access-logformat", access_format, "--error-logfile", str(errors), "--log-level", "debug",
         "--control-socket", str(tmp_path / "gunicorn.ctl")],
        cwd=tmp_path, env=environment(tmp_path, MODERATION_BIND=f"127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL, stderr=open(output, "ab"), start_new_session=True)
    try:
        wait_until_serving(server, port, output)
        # (a) Refused by gunicorn (two Host headers), after it parsed the request line: the
        # access log prints that line.
        answer = send(port, f"GET {ANALYZE}?alt=json&key=mod_secretHOST HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
                      .encode())
        assert answer.startswith(b"HTTP/1.1 400"), answer
        # (b) Refused by gunicorn (a control character in the request line): the error log
        # quotes the line.
        answer = send(port, f"GET {ANALYZE}?key=mod_secretCTRL\x01&alt=json HTTP/1.1\r\nHost: a\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 400"), answer
        # (c) A request the application answers, with keys in the query string and the headers.
        answer = send(port, f"GET {ANALYZE}?key=mod_secretAPP HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                      "Authorization: Bearer mod_secretBEARER\r\nX-Goog-Api-Key: mod_secretGOOG\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 4"), answer

        logged = (wait_for_lines(access, "400", f"{ANALYZE}?key=REDACTED HTTP/1.1")
                  + wait_for_lines(errors, "Invalid request from", "Invalid HTTP request line"))
        assert "mod_secret" not in logged, logged
        assert f"GET {ANALYZE}?alt=json&key=REDACTED HTTP/1.1" in logged  # (a), access log
        assert f"{ANALYZE}?key=REDACTED&alt=json" in logged  # (b), error log
        assert '"Bearer REDACTED" "REDACTED"' in logged  # (c), headers
        assert "mod_secret" not in output.read_text(errors="replace")
    finally:
        stop(server)


def test_the_logger_redacts_keys_in_messages_arguments_and_tracebacks(tmp_path):
    cfg = Config()
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("loglevel", "debug")
    log = KeyRedactingLogger(cfg)
    try:
        log.setup(cfg)  # as on a configuration reload
        assert sum(isinstance(f, _RedactFilter) for f in log.error_log.filters) == 1
        try:
            raise ValueError(f"bad target {ANALYZE}?key=mod_secretEXC")
        except ValueError:
            # As gunicorn logs an application error: the request's URI as an argument.
            log.exception("Error handling request %s %s", "GET", f"{ANALYZE}?alt=json&key=mod_secretARG")
        log.debug("%s", f"{ANALYZE}?%6Bey=mod_secretENC")
        log.info(f"{ANALYZE}?key=mod_secretMSG\n")
        logged = (tmp_path / "error.log").read_text()
        assert "mod_secret" not in logged, logged
        assert f"GET {ANALYZE}?alt=json&key=REDACTED" in logged
        assert f"ValueError: bad target {ANALYZE}?key=REDACTED" in logged
        assert f"{ANALYZE}?%6Bey=REDACTED" in logged and f"{ANALYZE}?key=REDACTED\n" in logged
    finally:
        # gunicorn's loggers are the process's: leave them as found for the tests that follow.
        for logger in (log.error_log, log.access_log):
            for handler in [h for h in logger.handlers if getattr(h, "_gunicorn", False)]:
                logger.removeHandler(handler)
                handler.close()
            for found in [f for f in logger.filters if isinstance(f, _RedactFilter)]:
                logger.removeFilter(found)


def test_moderation_serve_uses_the_redacting_logger(tmp_path):
    settings = embedded_settings("127.0.0.1", 8000, 8, str(tmp_path / "run"))
    assert settings["logger_class"] is KeyRedactingLogger
    # gunicorn's control socket in the private runtime directory, not one per account in ~/.gunicorn
    assert settings["control_socket"] == str(tmp_path / "run" / "gunicorn.ctl")
    assert (settings["workers"], settings["worker_class"], settings["threads"]) == (1, "gthread", 8)


def test_moderation_serve_logs_no_key(tmp_path):
    port = free_port()
    output = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "serve", "--port", str(port), "--threads", "2"],
        # HOME: gunicorn's control socket defaults to ~/.gunicorn, shared with any other server here.
        cwd=tmp_path, env=environment(tmp_path, HOME=str(tmp_path)), stdout=subprocess.DEVNULL,
        stderr=open(output, "ab"),
        start_new_session=True)
    try:
        wait_until_serving(server, port, output)
        answer = send(port, f"GET {ANALYZE}?key=mod_secretCTRL\x7f HTTP/1.1\r\nHost: a\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 400"), answer
        logged = wait_for_lines(output, "Invalid HTTP request line")
        assert "mod_secret" not in logged, logged
        assert f"{ANALYZE}?key=REDACTED" in logged
    finally:
        stop(server)
