"""The scoring worker: loads the model in the background, then scores the backlog in batches.

``score_pending`` / ``score_batch`` are the plain job (tests and the CLI call them);
``ScoringWorker`` adds the thread, the model's loading (and download) with back-off, waking
on new comments, the thread's CPU share (scoring/share.py) and status for /readyz.

A batch whose scoring raises is split in halves until the comments at fault are found; the
others are scored as usual. A comment at fault gets an attempt counted and is retried after a
back-off; after ``[scoring] max_attempts`` it is marked failed to score (scoring/service.py).
When every comment of a batch fails, a known-good sentence tells a broken model (nobody's
fault: the comments go back to the backlog untouched) from comments that break it.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from moderation.house import service as house
from moderation.leader import LockRefused, MachineLock
from moderation.logs import redacted
from moderation.metrics import SCORED, SCORING_FAILURES, SCORING_MODEL_UP, SCORING_SECONDS
from moderation.runtime import Runtime
from moderation.scoring import service
from moderation.scoring.language import LanguageDetector
from moderation.scoring.router import as_router, build_scorer
from moderation.scoring.scorer import Scorer
from moderation.scoring.share import apply_cpu_share, pause_after

log = logging.getLogger(__name__)

# Scored when a whole batch fails, to tell a broken model from comments that break it.
CANARY = "Merci pour cet article, très intéressant."
# /readyz reports the scorer degraded while one of the last RECENT_BATCHES batches, within
# RECENT_SECONDS, failed.
RECENT_BATCHES = 10
RECENT_SECONDS = 600.0


class ScorerBroken(Exception):
    """The model fails on a known-good sentence too: no comment is to blame."""


@dataclass(frozen=True)
class BatchResult:
    claimed: int = 0
    scored: int = 0
    failed: int = 0  # comments whose scoring raised in this batch
    gave_up: int = 0  # of which were marked failed to score (max_attempts reached)
    error: str | None = None  # the last error's class


def _run_model(scorer: Scorer, detector: LanguageDetector | None, items: list[service.Claimed], batch_size: int):
    """Each item with its routed result: the language first, which picks the model ([scoring.models])."""
    texts = [item.body for item in items]
    languages = detector.detect(texts) if detector is not None else [None] * len(texts)
    return list(zip(items, as_router(scorer, batch_size).route(texts, languages)))


def _isolate(scorer: Scorer, detector: LanguageDetector | None, items: list[service.Claimed], batch_size: int):
    """Score ``items``; when that raises, split in halves (recursively) to find the culprits.

    Returns (scored: [(item, routed result)], failed: [(item, exception)]). A batch of n
    with one bad comment costs about 2 log2(n) extra calls.
    """
    try:
        return _run_model(scorer, detector, items, batch_size), []
    except Exception as exc:
        if len(items) == 1:
            return [], [(items[0], exc)]
        middle = len(items) // 2
        first_ok, first_failed = _isolate(scorer, detector, items[:middle], batch_size)
        second_ok, second_failed = _isolate(scorer, detector, items[middle:], batch_size)
        return first_ok + second_ok, first_failed + second_failed


def _model_works(scorer: Scorer) -> bool:
    try:
        scorer.score([CANARY])
        return True
    except Exception:
        return False


def score_batch(runtime: Runtime, scorer: Scorer, detector: LanguageDetector | None, worker_id: str) -> BatchResult:
    """Claim one batch of unscored comments, score it and store what could be scored.

    Raises ScorerBroken (after giving the batch back) when the model fails on everything.
    """
    # The effective settings: the thresholds may have been changed in the console.
    settings = runtime.effective_settings.scoring
    with runtime.db.transaction() as session:
        claimed = service.claim_batch(session, worker_id, runtime.now(), settings.batch_size,
                                      timedelta(seconds=settings.claim_seconds))
    if not claimed:
        return BatchResult()
    scored, failed = _isolate(scorer, detector, claimed, settings.batch_size)
    if failed and not scored and not _model_works(scorer):
        with runtime.db.transaction() as session:
            service.release(session, worker_id, [item.id for item in claimed])
        raise ScorerBroken(type(failed[0][1]).__name__)
    for item, result in scored:
        if result.language is not None and not result.covered:
            # No body in the log: only what ops need to act on.
            log.warning("comment %s is in %r, which model %s does not cover", item.id, result.language, result.model)
    results = [service.Scored(item.id, r.scores, r.language, r.model, r.covered) for item, r in scored]
    if runtime.settings.house.score:
        results = _with_house_scores(runtime, [item.body for item, _ in scored], results)
    gave_up = 0
    with runtime.db.transaction() as session:
        stored = service.store_scores(session, worker_id, scorer.name, results, settings, runtime.now())
        for item, exc in failed:
            error = type(exc).__name__
            if service.record_failure(session, worker_id, item.id, error, runtime.now(), settings):
                gave_up += 1
                # The error's class only: a model's message can quote the text it choked on.
                log.error("comment %s failed to score %d times (%s): marked failed; an admin can retry it",
                          item.id, settings.max_attempts, error)
            else:
                log.warning("comment %s failed to score (%s); it will be retried", item.id, error)
    return BatchResult(claimed=len(claimed), scored=stored, failed=len(failed), gave_up=gave_up,
                       error=type(failed[-1][1]).__name__ if failed else None)


def _with_house_scores(runtime: Runtime, texts: list[str], results: list[service.Scored]) -> list[service.Scored]:
    """Add the current house model's score (``scores["house"]``) to each result.

    Which version is current is read once per batch (one indexed lookup), so a promotion or a
    rollback elsewhere reaches this worker within a batch; the model itself is loaded once
    per version (house/service.py). A house model that fails leaves the transformer's scores
    as they are: the comment is scored all the same, without a house score.
    """
    if not results:
        return results
    try:
        with runtime.db.transaction(write=False) as session:
            current = house.current(session)
        if current is None:
            return results
        values = current.model.score(texts, [r.language for r in results], [r.scores for r in results])
    except Exception as exc:
        log.warning("house model failed on a batch; its comments are stored without a house score (%s)",
                    type(exc).__name__)
        return results
    return [dataclasses.replace(r, scores={**r.scores, "house": round(float(value), 6)}, house_model=current.name)
            for r, value in zip(results, values)]


def score_pending(runtime: Runtime, scorer: Scorer, detector: LanguageDetector | None, worker_id: str) -> int:
    """Claim one batch of unscored comments, score it and store the scores; returns how many."""
    return score_batch(runtime, scorer, detector, worker_id).scored


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
        self.failed_total = 0
        self.last_batch_seconds: float | None = None
        self.last_error: str | None = None
        self._recent: deque[tuple[float, bool]] = deque(maxlen=RECENT_BATCHES)
        self._logged_reason: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if hasattr(self.scorer, "stop_event"):
            self.scorer.stop_event = self._stop  # a download stops with the service
        # Embedded in serving processes: one scorer per machine, the others stand by.
        self._machine_lock = MachineLock.for_runtime(runtime, "scorer") if one_per_machine else None

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

    def degraded(self) -> bool:
        """One of the recent batches failed (a comment broke the model, or the model broke)."""
        now = time.monotonic()
        return any(failed and now - at < RECENT_SECONDS for at, failed in list(self._recent))

    def status(self) -> dict:
        state = self.state
        download = getattr(self.scorer, "download", None)
        if state == "loading" and download is not None:
            state = "downloading"
        elif state == "ready" and self.degraded():
            state = "degraded"
        status = {"ok": state in ("ready", "standby"), "state": state, "model": self.scorer.name,
                  "reason": self.reason, "scored": self.scored_total, "failed": self.failed_total,
                  "retry_in_seconds": None if self.next_retry_at is None
                  else max(0.0, round(self.next_retry_at - time.monotonic(), 1))}
        if state == "downloading":
            status["download"] = download.snapshot()
        if state == "degraded":
            status["recent_failed_batches"] = sum(1 for _, failed in list(self._recent) if failed)
            status["last_error"] = self.last_error
        return status

    def _say_unavailable(self, reason: str) -> None:
        # One line per new reason: a machine without network is told once why scoring waits,
        # not at every retry.
        if reason != self._logged_reason:
            log.error("scoring model unavailable, comments wait unscored: %s", reason)
            self._logged_reason = reason
        else:
            log.debug("scoring model still unavailable: %s", reason)

    def load_model(self) -> bool:
        """Try once to load the model (and the language detector's); True when it is ready."""
        self.state = "loading"
        try:
            self.scorer.load()
            if self.detector is not None:
                self.detector.detect(["Chargement des modèles de langue."])
        except Exception as exc:  # no weights, no network, no memory: keep accepting comments
            self.state, self.reason = "unavailable", f"{type(exc).__name__}: {exc}"[:500]
            SCORING_MODEL_UP.set(0)
            self._say_unavailable(self.reason)
            return False
        self.state, self.reason, self.next_retry_at = "ready", None, None
        SCORING_MODEL_UP.set(1)
        self._logged_reason = None
        log.info("scoring model %s loaded", self.scorer.name)
        return True

    def _holds_machine_lock(self) -> bool:
        try:
            held = self._machine_lock.try_acquire()
        except LockRefused as exc:
            # Not "standby": /readyz must not call ready a machine whose scorer never starts.
            self.state, self.reason = "unavailable", str(exc)
            self._say_unavailable(self.reason)
            return False
        if not held:
            self.state, self.reason = "standby", None
        return held

    def _run(self) -> None:
        apply_cpu_share(self.settings.scheduling, self.settings.niceness)
        if self._machine_lock is not None:
            self.state = "standby"
            while not self._holds_machine_lock():
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
        backoff = self.settings.retry_initial_seconds
        while not self._stop.is_set():
            wait = self.settings.poll_interval_seconds
            try:
                started = time.monotonic()
                result = score_batch(self.runtime, self.scorer, self.detector, self.worker_id)
                if result.claimed:
                    self._batch_done(result, time.monotonic() - started)
                    backoff = self.settings.retry_initial_seconds
                    # Within the duty cycle, at once to the next batch.
                    if self._stop.wait(pause_after(time.monotonic() - started, self.settings.max_busy_fraction)):
                        return
                    continue
            except ScorerBroken as exc:
                self._batch_failed(f"the model fails on every text ({exc})")
                log.error("scoring model fails on every text (%s); retrying in %g s", exc, backoff)
                wait, backoff = backoff, min(backoff * 2, self.settings.retry_max_seconds)
            except Exception as exc:  # the database, most likely: the claims expire, nothing is lost
                self._batch_failed(type(exc).__name__)
                safe = redacted(exc)
                log.error("scoring batch failed (%s); its comments return to the backlog when the claim expires",
                          type(exc).__name__, exc_info=(type(safe), safe, safe.__traceback__))
                wait = max(wait, self.settings.poll_interval_seconds)
            self._wake.wait(wait)
            self._wake.clear()

    def _batch_done(self, result: BatchResult, seconds: float) -> None:
        self._recent.append((time.monotonic(), bool(result.failed)))
        if result.failed:
            self.failed_total += result.gave_up
            self.last_error = result.error
            SCORING_FAILURES.inc(result.failed)
        if result.scored:
            self.reason = None
            self.scored_total += result.scored
            self.last_batch_seconds = seconds
            SCORING_SECONDS.observe(seconds)
            SCORED.inc(result.scored)

    def _batch_failed(self, error: str) -> None:
        self._recent.append((time.monotonic(), True))
        self.last_error = self.reason = error


def run_forever(runtime: Runtime) -> None:
    """`moderation worker`: score until SIGTERM or SIGINT."""
    worker = ScoringWorker(runtime)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    worker.start()
    if runtime.settings.analyzer.enabled:  # this machine's analyze requests, on this model copy
        from moderation.analyzer.host import AnalyzerHost

        AnalyzerHost(runtime, worker).start()
    while worker._thread is not None and worker._thread.is_alive():
        worker._thread.join(1)
