"""Serving: the embedded single-process server of `moderation serve`, and the gunicorn entry."""
from __future__ import annotations

import sys

from moderation.config import ConfigError, Settings


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


def serve_embedded(settings: Settings, host: str, port: int, threads: int) -> None:
    """One gunicorn process with threads: the API, the scheduler and the scorer together."""
    from gunicorn.app.base import BaseApplication

    from moderation.app import create_app

    class Embedded(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)
            self.cfg.set("graceful_timeout", 10)

        def load(self):
            return create_app(settings, background=True)

    Embedded().run()
