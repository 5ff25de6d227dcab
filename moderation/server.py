"""Serving: the embedded single-process server of `moderation serve`, the gunicorn entry, and
the logger class both use (deploy/gunicorn.conf.py names it for gunicorn)."""
from __future__ import annotations

import logging
import os
import sys
from typing import Any

from gunicorn.glogging import Logger

from moderation import rundir
from moderation.analyzer.redact import KEY_ENVIRON
from moderation.config import ConfigError, Settings
from moderation.logs import REDACTED, redact_query, redact_text


def application():
    """gunicorn entry point: ``gunicorn 'moderation.server:application()'``.

    Each worker builds its own app after the fork and runs the background parts; the
    scheduler runs in one process at a time (leader election), scoring in every worker.
    """
    from moderation.app import create_app

    try:
        return create_app(background=True)
    except ConfigError as exc:
        sys.stderr.write(f"moderation: invalid configuration: {exc}\n")
        sys.exit(4)  # gunicorn's "app failed to load": the arbiter stops instead of respawning


# Headers that carry credentials: an access log format may print any header (%({name}i)s, or
# %({http_name}e)s from the environ), and a response's Set-Cookie holds a console session.
_SECRET_HEADERS = ("authorization", "proxy-authorization", "x-goog-api-key", "cookie", "set-cookie")
_SECRET_ATOMS = frozenset(
    [f"{{{name}}}i" for name in _SECRET_HEADERS] + [f"{{{name}}}o" for name in _SECRET_HEADERS]
    + [f"{{http_{name.replace('-', '_')}}}e" for name in _SECRET_HEADERS]
    # The key the analyzer middleware took out of the query string, kept in the environ.
    + [f"{{{KEY_ENVIRON}}}e"])
_QUERY_ATOMS = frozenset(["q", "{query_string}e"])


def _hide_credentials(name: str, value: str) -> str:
    if "authorization" in name:
        scheme, space, _credentials = value.strip().partition(" ")
        return f"{scheme} {REDACTED}" if space else REDACTED  # the scheme helps, the credentials never
    return REDACTED


class _RedactFilter(logging.Filter):
    """Rewrites each record of gunicorn's error log: whoever logs there, and however (message,
    arguments, traceback), no key in a URL gets through."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set: the exception's message may quote the URL.
            record.exc_text = redact_text(self._formatter.formatException(record.exc_info))
        return True


class KeyRedactingLogger(Logger):
    """gunicorn's logger, without keys: gunicorn logs requests it refuses itself (two Host
    headers, a control character in the request line) before the application's redacting
    middleware sees them, so redacting there is not enough. Access log lines have the key
    parameter of every URL and query, and credential headers, redacted; error log messages
    have the key parameter of every URL they quote redacted."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        # setup() runs again on a configuration reload: one filter, not one per reload.
        if not any(isinstance(existing, _RedactFilter) for existing in self.error_log.filters):
            self.error_log.addFilter(_RedactFilter())

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if not isinstance(value, str):
                continue
            if name in _SECRET_ATOMS:
                atoms[name] = _hide_credentials(name, value)
            elif name in _QUERY_ATOMS:
                atoms[name] = redact_query(value)[0]
            else:
                atoms[name] = redact_text(value)
        return atoms


def embedded_settings(host: str, port: int, threads: int, runtime_dir: str) -> dict[str, Any]:
    """gunicorn's settings for `moderation serve`. Its control socket goes into the private
    runtime directory: gunicorn's default (~/.gunicorn/gunicorn.ctl) is one socket for every
    server the account runs, so a second one would take over the first one's."""
    return {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
            "accesslog": None, "graceful_timeout": 10, "logger_class": KeyRedactingLogger,
            "control_socket": os.path.join(runtime_dir, "gunicorn.ctl")}


def serve_embedded(settings: Settings, host: str, port: int, threads: int) -> None:
    """One gunicorn process with threads: the API, the scheduler and the scorer together."""
    from gunicorn.app.base import BaseApplication

    from moderation.app import create_app

    class Embedded(BaseApplication):
        def load_config(self) -> None:
            runtime_dir = rundir.ensure(rundir.configured_path(settings))
            for name, value in embedded_settings(host, port, threads, runtime_dir).items():
                self.cfg.set(name, value)

        def load(self):
            return create_app(settings, background=True)

    Embedded().run()
