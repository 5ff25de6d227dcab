"""Dynamic batching of analyze requests in front of the model.

Requests are queued; one thread takes what is queued (up to ``max_batch`` texts) and scores
it in one call. A request that arrives alone is scored at once: the batcher waits for more
(at most ``max_wait`` seconds) only when the previous batch held several requests, i.e.
while requests are arriving together. Under load, requests pile up while the model computes
and the next batch takes them all, so batching costs no latency when idle and saves work
when busy.

Deadlines: a request that the work queued before it would delay past its deadline (judging
by the recent time per batch) is refused at once (``Overloaded``, 503); one still waiting at
its deadline is dropped from the queue (``DeadlineExceeded``, 504) rather than answered late.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Callable

from prometheus_client import Counter, Histogram

log = logging.getLogger(__name__)

BATCH_SIZE = Histogram("moderation_analyze_batch_size", "Texts scored together for analyze requests",
                       buckets=(1, 2, 4, 8, 16, 32, 64))
REFUSED = Counter("moderation_analyze_refused_total", "Analyze requests refused or dropped", ["reason"])


class AnalyzerUnavailable(Exception):
    """No model is ready on this machine (loading, failed, or no scoring process runs)."""


class Overloaded(Exception):
    """The request cannot be scored within its deadline because of the work before it."""


class DeadlineExceeded(Exception):
    """The deadline passed before the request was scored."""


@dataclass
class _Item:
    text: str
    language: str | None
    deadline: float
    future: Future


class Batcher:
    """Scores queued texts with ``score(texts, languages) -> results``, several at a time."""

    def __init__(self, score: Callable[[list[str], list[str | None]], list[Any]], *, max_batch: int,
                 max_wait: float = 0.002, max_queue: int = 256, name: str = "analyzer-batcher",
                 split: Callable[[list[str]], list[list[int]]] | None = None) -> None:
        self._score = score
        # How a batch is cut into forward passes (by length, see scoring/router.chunks); each
        # pass's callers are answered as soon as it is done, not when the whole batch is.
        self._split = split or (lambda texts: [list(range(len(texts)))])
        self.max_batch = max(1, max_batch)
        self.max_wait = max_wait
        self.max_queue = max_queue
        self.name = name
        self._queue: collections.deque[_Item] = collections.deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopped = False
        self._last_size = 0
        self.batch_seconds: float | None = None  # moving average of one scoring call
        self.batches = 0
        self._thread: threading.Thread | None = None

    def start(self) -> "Batcher":
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def submit(self, texts: list[str], languages: list[str | None], deadline: float) -> list[Any]:
        """Results for ``texts`` (``deadline`` on time.monotonic()); blocks until scored or refused."""
        now = time.monotonic()
        if deadline <= now:
            REFUSED.labels("deadline").inc()
            raise DeadlineExceeded()
        items = [_Item(text, language, deadline, Future()) for text, language in zip(texts, languages)]
        with self._cond:
            if self._stopped:
                raise AnalyzerUnavailable("the scorer is shutting down")
            queued = len(self._queue)
            if queued + len(items) > self.max_queue:
                REFUSED.labels("queue_full").inc()
                raise Overloaded(f"{queued} texts are waiting already")
            if self.batch_seconds is not None:
                # The batches that must finish before this request's batch starts. An idle batcher
                # takes anything: a request is refused for the work before it, never for itself.
                ahead = queued // self.max_batch + (1 if self._busy else 0)
                if now + ahead * self.batch_seconds > deadline:
                    REFUSED.labels("would_be_late").inc()
                    raise Overloaded(f"{queued} texts are waiting; this one would be scored after its deadline")
            self._queue.extend(items)
            self._cond.notify()
        results = []
        for item in items:
            try:
                results.append(item.future.result(timeout=max(0.0, item.deadline - time.monotonic())))
            except FutureTimeout:
                for other in items:
                    other.future.cancel()  # still queued: the batcher skips it
                REFUSED.labels("deadline").inc()
                raise DeadlineExceeded() from None
        return results

    def _take(self) -> list[_Item] | None:
        with self._cond:
            while not self._queue and not self._stopped:
                self._cond.wait()
            if self._stopped:
                for item in self._queue:
                    item.future.set_exception(AnalyzerUnavailable("the scorer is shutting down"))
                self._queue.clear()
                return None
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            # Requests are arriving together: give the others a moment to join this pass.
            if len(batch) < self.max_batch and self.max_wait > 0 and self._last_size > 1:
                until = time.monotonic() + self.max_wait
                while len(batch) < self.max_batch and not self._stopped:
                    if self._queue:
                        batch.append(self._queue.popleft())
                        continue
                    remaining = until - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            self._busy = True
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            try:
                live = [item for item in batch if item.future.set_running_or_notify_cancel()]
                now = time.monotonic()
                for item in live:
                    if item.deadline <= now:
                        item.future.set_exception(DeadlineExceeded())
                live = [item for item in live if item.deadline > now]
                if live:
                    self._score_batch(live)
            finally:
                with self._cond:
                    self._busy = False

    def _score_batch(self, live: list[_Item]) -> None:
        started = time.monotonic()
        for chunk in self._split([item.text for item in live]):
            items = [live[i] for i in chunk]
            try:
                results = self._score([item.text for item in items], [item.language for item in items])
            except Exception as exc:
                log.exception("analyze batch of %d failed", len(items))
                for item in items:
                    item.future.set_exception(exc)
            else:
                for item, result in zip(items, results):
                    item.future.set_result(result)
        elapsed = time.monotonic() - started
        self.batch_seconds = elapsed if self.batch_seconds is None else 0.8 * self.batch_seconds + 0.2 * elapsed
        self._last_size = len(live)
        self.batches += 1
        BATCH_SIZE.observe(len(live))
