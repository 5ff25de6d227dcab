"""The delivery worker: fans out new outbox events, claims due deliveries, sends them signed.

``deliver_pending`` is the plain job (tests, the CLI and the thread call it); ``DeliveryWorker``
adds the thread, waking after commits that published events, and status for /readyz.
Several workers (`moderation webhooks worker` processes, on one or several machines, among
them the one each machine's serving processes start) share the work through leases: see
service.py.

Deliveries of one endpoint in a batch go in order on one connection; after a failure the
rest of that run is released untried, due when the failed one is retried, so a receiver
that is down gets one attempt per back-off step rather than one per waiting event.
"""
from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from moderation.clock import Clock, SystemClock
from moderation.config import WEBHOOK_LEASE_MARGIN_SECONDS
from moderation.cpu import apply_cpu_share
from moderation.logs import redacted
from moderation.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_LATENCY
from moderation.runtime import Runtime
from moderation.webhooks import jobs, service
from moderation.webhooks.signing import sign_headers
from moderation.webhooks.transport import Resolver, Sender

log = logging.getLogger(__name__)

FANOUT_BATCH = 500
# Commits wake the worker one by one; the commits of the next moment are let pile up, so
# that one pass (two write transactions) serves them all instead of one pass each.
WAKE_COALESCE_SECONDS = 0.2
PRUNE_EVERY_SECONDS = 600


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Deliverer:
    """What one worker needs to deliver: its id, an HTTP sender, and the clocks.

    ``runtime.now()`` schedules (leases, back-off; tests move it). The webhook-timestamp
    header is the real time of sending (``signing_clock``), which receivers compare with
    their own clock to refuse replays.
    """

    def __init__(self, runtime: Runtime, *, worker_id: str | None = None, resolver: Resolver | None = None,
                 signing_clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.webhooks
        self.worker_id = worker_id or new_worker_id()
        self.sender = Sender(self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds,
                             self.settings.allow_private_addresses, resolver)
        self.signing_clock = signing_clock or SystemClock()
        self.rng = rng or random.Random()
        # Sending (signing, HTTP) happens in these threads, at [webhooks] niceness, so that it
        # yields the CPU to request threads on a busy machine. The calling thread, which holds
        # the database transactions, keeps its priority: on SQLite a niced thread holding the
        # one writer would stall every request waiting for it (priority inversion).
        self._pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="webhook-send",
                                        initializer=apply_cpu_share,
                                        initargs=("normal", self.settings.niceness))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.sender.close()

    def pass_once(self) -> int:
        """Fan out new events, claim one batch of due deliveries, attempt them and record the
        results; returns how many deliveries were claimed.

        Two write transactions per pass (fan-out with the claim, then the results), and none
        when a read shows nothing to do: on SQLite every write waits for the one writer that
        intake needs too.
        """
        # Leases run from ``now``, whatever comes before the sending (the writer lock, a backlog).
        db, now, started = self.runtime.db, self.runtime.now(), time.monotonic()
        with db.transaction(write=False) as session:
            new_events = service.has_new_events(session)
            due = service.has_due(session, now)
        if not (new_events or due):
            return 0
        lease = self.settings.claim_seconds
        with db.transaction() as session:
            read = service.fan_out(session, now, self.settings.outbox_gap_seconds, FANOUT_BATCH) if new_events else 0
            claimed = service.claim_due(session, self.worker_id, now, self.settings.batch_size,
                                        timedelta(seconds=lease))
        while read >= FANOUT_BATCH:  # a backlog of events: read the rest before sending
            with db.transaction() as session:
                read = service.fan_out(session, self.runtime.now(), self.settings.outbox_gap_seconds, FANOUT_BATCH)
        if not claimed:
            return 0
        # What starts by then ends by its deadline, before the lease does (config.py checks there is time).
        stop_at = started + lease - self.sender.deadline - WEBHOOK_LEASE_MARGIN_SECONDS
        runs = _runs(claimed, self.settings.concurrency)
        results = [future.result() for future in [self._pool.submit(self._deliver_run, run, stop_at)
                                                   for run in runs]]
        try:
            with db.transaction() as session:
                for attempted, deferred in results:
                    service.record(session, self.worker_id, attempted, deferred, self.runtime.now(), self.settings,
                                   self.rng)
        except Exception as exc:
            safe = redacted(exc)  # a database error's message may quote the row
            log.error("cannot record webhook attempts; the deliveries return when their lease ends",
                      exc_info=(type(safe), safe, safe.__traceback__))
        return len(claimed)

    def prune(self) -> int:
        """Delete deliveries and outbox events older than ``keep_days``; returns how many."""
        return jobs.prune(self.runtime)

    def _deliver_run(self, run: list[service.Claimed],
                     stop_at: float) -> tuple[list[service.Attempted], list[service.Claimed]]:
        """Send one endpoint's deliveries in order; after a failure, or near the lease's end,
        the rest wait untried. Returns what was attempted and what was not."""
        attempted: list[service.Attempted] = []
        deferred: list[service.Claimed] = []
        for delivery in run:
            if deferred or time.monotonic() > stop_at or (attempted and not attempted[-1].outcome.ok):
                deferred.append(delivery)
                continue
            body = service.body_of(delivery.payload)
            headers = sign_headers(delivery.secrets, delivery.event_id, self.signing_clock.now(), body)
            outcome = self.sender.post(delivery.url, headers, body.encode())
            attempted.append(service.Attempted(delivery, outcome, self.runtime.now()))
            WEBHOOK_ATTEMPTS.labels("delivered" if outcome.ok else "failed").inc()
            if outcome.latency_ms is not None:
                WEBHOOK_LATENCY.observe(outcome.latency_ms / 1000)
            if not outcome.ok:
                # The endpoint id only: URLs may carry tokens.
                log.info("webhook delivery %s to endpoint %s failed: %s", delivery.id, delivery.endpoint_id,
                         outcome.error)
        return attempted, deferred


def _runs(claimed: list[service.Claimed], concurrency: int) -> list[list[service.Claimed]]:
    """Split a batch into runs: each endpoint's deliveries in order, in up to ``concurrency`` runs."""
    by_endpoint: dict[int, list[service.Claimed]] = {}
    for delivery in claimed:
        by_endpoint.setdefault(delivery.endpoint_id, []).append(delivery)
    runs = []
    per_endpoint = max(1, concurrency // max(1, len(by_endpoint)))
    for items in by_endpoint.values():
        size = -(-len(items) // per_endpoint)
        runs.extend(items[start:start + size] for start in range(0, len(items), size))
    return runs


def deliver_pending(runtime: Runtime, deliverer: Deliverer | None = None, max_passes: int = 1000) -> int:
    """Deliver everything due now (the plain job); returns how many deliveries were claimed."""
    own = deliverer is None
    deliverer = deliverer or Deliverer(runtime)
    total = 0
    try:
        for _ in range(max_passes):
            claimed = deliverer.pass_once()
            total += claimed
            if claimed == 0:
                break
    finally:
        if own:
            deliverer.close()
    return total


class DeliveryWorker:
    """The worker's thread in `moderation webhooks worker` (which serving processes start as
    their machine's delivery process: webhooks/process.py)."""

    def __init__(self, runtime: Runtime, deliverer: Deliverer | None = None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.webhooks
        self.deliverer = deliverer or Deliverer(runtime)
        self.state = "starting"
        self.last_error: str | None = None
        self.delivered_passes = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stats: dict[str, Any] | None = None
        self._stats_at = 0.0

    def start(self) -> None:
        self.runtime.webhooks = self
        self._thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 0) -> None:
        self._stop.set()
        self._wake.set()
        if wait and self._thread is not None:
            self._thread.join(wait)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def status(self) -> dict[str, Any]:
        """For /readyz: the worker's state and the backlog (read at most every few seconds)."""
        return {"ok": self.state in ("running", "idle", "standby"), "state": self.state, "error": self.last_error,
                **(self._stats or {})}

    def _refresh_stats(self) -> None:
        if time.monotonic() - self._stats_at < 5:
            return
        self._stats_at = time.monotonic()
        with self.runtime.db.transaction(write=False) as session:
            found = service.stats(session)
        self._stats = {"pending": found.pending, "failed": found.failed,
                       "failing_endpoints": found.failing_endpoints,
                       "disabled_endpoints": found.endpoints["disabled"]}

    def _run(self) -> None:
        pruned_at = 0.0
        while not self._stop.is_set():
            self._wake.clear()  # before the pass: a commit during it wakes the next wait at once
            started = time.monotonic()
            try:
                self.state = "running"
                if started - pruned_at > PRUNE_EVERY_SECONDS:
                    pruned_at = started
                    self.deliverer.prune()
                claimed = self.deliverer.pass_once()
                self._refresh_stats()
                self.last_error = None
                if claimed >= self.settings.batch_size:
                    continue  # more may be due: no pause
                self.state = "idle"
            except Exception as exc:
                self.state, self.last_error = "error", type(exc).__name__
                safe = redacted(exc)
                log.error("webhook delivery pass failed; retrying", exc_info=(type(safe), safe, safe.__traceback__))
            self._wake.wait(self.settings.poll_interval_seconds)
            rest = WAKE_COALESCE_SECONDS - (time.monotonic() - started)
            if rest > 0:
                self._stop.wait(rest)
        self.state = "stopped"
        self.deliverer.close()


def run_forever(runtime: Runtime) -> None:
    """`moderation webhooks worker`: deliver until SIGTERM or SIGINT.

    Started by a serving process (webhooks/process.py), it also listens for the wake-ups its
    commits send, and stops when that process is gone.
    """
    from moderation.webhooks import process

    worker = DeliveryWorker(runtime)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    parent = os.environ.get(process.PARENT_ENV)
    if parent:
        process.listen_for_wakes(process.wake_path(runtime), worker.wake)
        process.watch_parent(int(parent), worker.stop)
    worker.start()
    log.info("webhook delivery worker %s started", worker.deliverer.worker_id)
    while worker.alive:
        worker.join(1)
