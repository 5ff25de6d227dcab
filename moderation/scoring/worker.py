"""The scoring worker: loads the model in the background, then scores the backlog in batches.

``score_pending`` is the plain job (tests and the CLI call it); ``ScoringWorker`` adds the
thread, the model's loading with back-off, waking on new comments and status for /readyz.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from datetime import timedelta

from moderation.leader import MachineLock
from moderation.metrics import SCORED, SCORING_SECONDS
from moderation.runtime import Runtime
from moderation.scoring import service
from moderation.scoring.language import LanguageDetector
from moderation.scoring.router import as_router, build_scorer
from moderation.scoring.scorer import Scorer

log = logging.getLogger(__name__)


def score_pending(runtime: Runtime, scorer: Scorer, detector: LanguageDetector | None, worker_id: str) -> int:
    """Claim one batch of unscored comments, score it and store the scores; returns how many."""
    settings = runtime.settings.scoring
    with runtime.db.transaction() as session:
        claimed = service.claim_batch(session, worker_id, runtime.now(), settings.batch_size,
                                      timedelta(seconds=settings.claim_seconds))
    if not claimed:
        return 0
    texts = [item.body for item in claimed]
    # The language first: it picks the model ([scoring.models]).
    languages = detector.detect(texts) if detector is not None else [None] * len(texts)
    routed = as_router(scorer, settings.batch_size).route(texts, languages)
    for item, result in zip(claimed, routed):
        if result.language is not None and not result.covered:
            # No body in the log: only what ops need to act on.
            log.warning("comment %s is in %r, which model %s does not cover", item.id, result.language, result.model)
    results = [service.Scored(item.id, r.scores, r.language, r.model, r.covered) for item, r in zip(claimed, routed)]
    with runtime.db.transaction() as session:
        return service.store_scores(session, worker_id, scorer.name, results, settings, runtime.now())


class ScoringWorker:
    def __init__(self, runtime: Runtime, scorer: Scorer | None = None,
                 detector: LanguageDetector | None = None, one_per_machine: bool = False) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.scoring
        self.scorer = scorer or build_scorer(self.settings)
        self.detector = detector or LanguageDetector(self.settings.languages)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.state = "starting"
        self.reason: str | None = None
        self.next_retry_at: float | None = None
        self.scored_total = 0
        self.last_batch_seconds: float | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Embedded in serving processes: one scorer per machine, the others stand by.
        self._machine_lock = MachineLock(str(runtime.db.engine.url), "scorer") if one_per_machine else None

    def start(self) -> None:
        self.runtime.scoring = self
        self._thread = threading.Thread(target=self._run, name="scoring-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._machine_lock is not None:
            self._machine_lock.release()

    def wake(self) -> None:
        self._wake.set()

    def status(self) -> dict:
        return {"ok": self.state in ("ready", "standby"), "state": self.state, "model": self.scorer.name,
                "reason": self.reason, "scored": self.scored_total,
                "retry_in_seconds": None if self.next_retry_at is None
                else max(0.0, round(self.next_retry_at - time.monotonic(), 1))}

    def load_model(self) -> bool:
        """Try once to load the model (and the language detector's); True when it is ready."""
        self.state = "loading"
        try:
            self.scorer.load()
            if self.detector is not None:
                self.detector.detect(["Chargement des modèles de langue."])
        except Exception as exc:  # no weights, no network, no memory: keep accepting comments
            self.state, self.reason = "unavailable", f"{type(exc).__name__}: {exc}"[:500]
            log.error("scoring model unavailable, comments wait unscored: %s", self.reason)
            return False
        self.state, self.reason, self.next_retry_at = "ready", None, None
        log.info("scoring model %s loaded", self.scorer.name)
        return True

    def _run(self) -> None:
        _lower_priority(self.settings.niceness)
        if self._machine_lock is not None:
            self.state = "standby"
            while not self._machine_lock.try_acquire():
                if self._stop.wait(5):
                    return
        delay = self.settings.retry_initial_seconds
        while not self._stop.is_set():
            if self.load_model():
                break
            self.next_retry_at = time.monotonic() + delay
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, self.settings.retry_max_seconds)
        while not self._stop.is_set():
            try:
                started = time.monotonic()
                scored = score_pending(self.runtime, self.scorer, self.detector, self.worker_id)
                if scored:
                    self.reason = None
                    self.scored_total += scored
                    self.last_batch_seconds = time.monotonic() - started
                    SCORING_SECONDS.observe(self.last_batch_seconds)
                    SCORED.inc(scored)
                    continue
            except Exception as exc:
                self.reason = f"{type(exc).__name__}"
                log.exception("scoring batch failed; its comments return to the backlog when the claim expires")
                self._stop.wait(self.settings.poll_interval_seconds)
            self._wake.wait(self.settings.poll_interval_seconds)
            self._wake.clear()


def _lower_priority(niceness: int) -> None:
    """Give this thread (and so the model, which computes in it) a lower CPU priority.

    Linux schedules threads on their own: with a positive niceness, request threads win the
    CPU during a burst and scoring takes what is left, catching up afterwards.
    """
    if niceness <= 0:
        return
    thread_id = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id, niceness)
        if niceness >= 19:
            # The lowest: Linux's idle class, CPU time that no request thread wants.
            os.sched_setscheduler(thread_id, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError):
        log.warning("cannot lower the scoring thread's priority on this system")


def run_forever(runtime: Runtime) -> None:
    """`moderation worker`: score until SIGTERM or SIGINT."""
    worker = ScoringWorker(runtime)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    worker.start()
    if runtime.settings.analyzer.enabled:  # issue 16: this machine's analyze requests, on this model copy
        from moderation.analyzer.host import AnalyzerHost

        AnalyzerHost(runtime, worker).start()
    while worker._thread is not None and worker._thread.is_alive():
        worker._thread.join(1)
