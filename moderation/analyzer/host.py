"""Where analyze requests are scored: by the model copy that scores the queue.

Serving processes run a ``ScoringWorker`` each, but only one per machine loads the model
(``MachineLock`` "scorer"). ``AnalyzerHost`` waits until its process's worker has the model,
takes the "analyzer" machine lock, starts a ``Batcher`` on that very model and serves the
local socket. Every process then reaches the model through ``analyzer_for(runtime)``: its
own batcher when it holds the model, the socket otherwise.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from contextvars import ContextVar
from typing import Any

from moderation.analyzer import ipc
from moderation.analyzer.batcher import Batcher
from moderation.leader import LockRefused, MachineLock
from moderation.rundir import machine_path
from moderation.runtime import Runtime
from moderation.scoring.language import DETECTION_PREFIX_CHARS
from moderation.scoring.router import as_router, chunks

log = logging.getLogger(__name__)


def socket_path(runtime: Runtime) -> str:
    configured = runtime.settings.analyzer.socket_path
    if configured:
        return configured
    # Beside the scorer's machine lock: one per machine and database.
    return machine_path(runtime.settings, str(runtime.db.engine.url), "analyzer", ".sock")


def analyze_texts(scorer, detector, batch_size: int, texts: list[str], languages: list) -> list[dict]:
    """Detect the languages not given, then score each text with its language's model.

    A language is a code, None (detect it in the text), or ``{"detect_from": other}``: the
    language detected in another text, for a sentence scored in its comment's language. The
    same text is detected once, so a comment and its sentences always get the same language."""
    sources = [_detection_source(text, language) for text, language in zip(texts, languages)]
    missing = list(dict.fromkeys(source for source in sources if source is not None))
    by_source: dict[str, str | None] = {}
    if missing and detector is not None:
        by_source = dict(zip(missing, detector.detect(missing)))
    detected = [None if source is None else by_source.get(source) for source in sources]
    effective = [given if isinstance(given, str) else found for given, found in zip(languages, detected)]
    routed = as_router(scorer, batch_size).route(texts, effective)
    return [{"language": r.language, "detected": found, "model": r.model, "scores": r.scores, "covered": r.covered}
            for r, found in zip(routed, detected)]


def _detection_source(text: str, language) -> str | None:
    """What the detector reads to find a text's language (None: the language is given). Only
    the prefix that the detector reads: a comment and the prefix its sentences carry are then
    the same source."""
    if isinstance(language, dict):
        return language["detect_from"][:DETECTION_PREFIX_CHARS]
    return text[:DETECTION_PREFIX_CHARS] if language is None else None


class LocalAnalyzer:
    """The batcher of this process (it holds the model)."""

    def __init__(self, batcher: Batcher) -> None:
        self.batcher = batcher

    def analyze(self, texts: list[str], languages: list[str | None], timeout: float) -> list[dict[str, Any]]:
        return self.batcher.submit(texts, languages, time.monotonic() + timeout)


class SocketAnalyzer:
    """The machine's scoring process, over the local socket."""

    def __init__(self, path: str) -> None:
        self.path = path

    def analyze(self, texts: list[str], languages: list[str | None], timeout: float) -> list[dict[str, Any]]:
        return ipc.call(self.path, texts, languages, timeout)


# While a batch's part runs (analyzer/dispatch.py), its thread's analyzer is the batch's
# Gathering, which scores every part's text in one call to the analyzer below.
batch_analyzer: ContextVar[Any] = ContextVar("batch_analyzer", default=None)


def analyzer_for(runtime: Runtime):
    """This process's batcher when it holds the model, else the machine's socket."""
    return batch_analyzer.get() or runtime.analyzer or SocketAnalyzer(socket_path(runtime))


def local_batcher(runtime: Runtime, scorer, detector) -> Batcher:
    """A started batcher on ``scorer`` (a loaded model or router) with the [analyzer] settings."""
    settings = runtime.settings
    batch = settings.scoring.batch_size if settings.analyzer.batching else 1
    return Batcher(lambda texts, languages: analyze_texts(scorer, detector, settings.scoring.batch_size,
                                                          texts, languages),
                   max_batch=batch, max_wait=settings.analyzer.max_wait_ms / 1000,
                   max_queue=settings.analyzer.max_queue, split=lambda texts: chunks(texts, batch)).start()


class AnalyzerHost:
    """Serves analyze requests on this machine once this process's scoring worker has the model."""

    def __init__(self, runtime: Runtime, worker) -> None:
        self.runtime = runtime
        self.worker = worker
        self.path = socket_path(runtime)
        self._lock = MachineLock.for_runtime(runtime, "analyzer")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.batcher: Batcher | None = None
        self.server: ipc.AnalyzerServer | None = None
        self._serving: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="analyzer-host", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Standing-by workers never load the model: they wait here until they take over.
        while self.worker.state != "ready":
            if self._stop.wait(0.1):
                return
        refused = None
        while True:
            try:
                if self._lock.try_acquire():
                    break
            except LockRefused as exc:
                if str(exc) != refused:  # once per reason, not every 2 s
                    log.error("analyzer cannot take this machine's lock: %s", exc)
                    refused = str(exc)
            if self._stop.wait(2):
                return
        self.batcher = local_batcher(self.runtime, self.worker.scorer, self.worker.detector)
        self.server = ipc.AnalyzerServer(self.path, lambda texts, languages, deadline: self.batcher.submit(
            texts, languages, deadline))
        self._serving = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.5},
                                         name="analyzer-socket", daemon=True)
        self._serving.start()
        self.runtime.analyzer = LocalAnalyzer(self.batcher)
        log.info("analyzer serving this machine on %s (process %d)", self.path, os.getpid())

    @property
    def serving(self) -> bool:
        return self.server is not None

    def stop(self) -> None:
        self._stop.set()
        if self.runtime.analyzer is not None and self.batcher is not None:
            self.runtime.analyzer = None
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.batcher is not None:
            self.batcher.stop()
        self._lock.release()
