"""Delivery workers for real: committed transactions, the worker's thread, real time, worker
processes (`moderation webhooks worker`) killed with SIGKILL, and two workers at once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from moderation.clock import SystemClock
from moderation.db import Database
from moderation.events.service import EVENT_TYPES
from moderation.review import service as review
from moderation.runtime import Runtime
from moderation.webhooks import service
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery
from moderation.webhooks.worker import Deliverer, DeliveryWorker, deliver_pending
from tests.conftest import _empty_tables
from tests.factories import make_article, make_comment
from tests.webhooks.receiver import DrippingReceiver, Receiver, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live(hooks_settings, engine):
    """Committed transactions and the system clock; tables emptied before and after."""
    _empty_tables(engine)
    settings = hooks_settings.replace(webhooks={
        "retry_initial_seconds": 0.2, "retry_max_interval_seconds": 1.0, "poll_interval_seconds": 0.2,
        "concurrency": 2})
    runtime = Runtime(settings, clock=SystemClock(), database=Database(settings.database, engine))
    yield runtime
    _empty_tables(engine)


def _endpoint(runtime, url: str) -> str:
    with runtime.db.transaction() as session:
        _, secret = service.create_endpoint(session, url, [t for t in EVENT_TYPES if t != "thread.changed"], None,
                                            "test", runtime.now(), True)
    return secret


def _approve(runtime, count: int) -> None:
    """``count`` approvals, committed in one transaction (one comment.approved event each)."""
    article = make_article(runtime)
    ids = [make_comment(runtime, article).id for _ in range(count)]
    with runtime.db.transaction() as session:
        results = review.decide_many(session, [{"comment_id": c, "action": "approve"} for c in ids], "alice",
                                     runtime.now())
    assert all(r.ok for r in results)


def _count(runtime, query) -> int:
    with runtime.db.transaction(write=False) as session:
        return session.scalar(query)


def _delivered(runtime) -> int:
    delivered = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.state == "delivered")
    return _count(runtime, delivered)


def _wait(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_receiver_down_for_a_while_then_up_in_real_time(live):
    port = free_port()
    receiver = Receiver(port, secret=_endpoint(live, f"http://127.0.0.1:{port}/hooks"))
    worker = DeliveryWorker(live)
    worker.start()
    try:
        _approve(live, 10)
        down_since = time.monotonic()
        failed = select(func.count()).select_from(WebhookAttempt).where(WebhookAttempt.ok.is_(False))
        # Down for a few seconds and several back-off steps (0.2 s doubling to 1 s, with jitter).
        assert _wait(lambda: _count(live, failed) >= 3 and time.monotonic() - down_since >= 3, timeout=120), \
            worker.status()
        with live.db.transaction(write=False) as session:
            assert set(session.scalars(select(WebhookAttempt.error))) == {"connection refused"}
        assert receiver.requests == []
        with receiver:
            assert _wait(lambda: len(receiver.counts()) == 10 and _delivered(live) == 10, timeout=60), \
                (receiver.counts(), _delivered(live))
            assert max(receiver.counts().values()) == 1 and receiver.unverified() == []
            assert worker.status()["ok"] is True
    finally:
        worker.stop(wait=10)


def test_a_commit_wakes_the_worker_of_its_process(live):
    live = Runtime(live.settings.replace(webhooks={"poll_interval_seconds": 120.0}), clock=live.clock,
                   database=live.db)
    with Receiver() as receiver:
        receiver.secret = _endpoint(live, receiver.url)
        worker = DeliveryWorker(live)
        worker.start()
        try:
            assert _wait(lambda: worker.state == "idle", timeout=30)
            started = time.monotonic()
            _approve(live, 1)
            # Far sooner than the 120 s poll: the after-commit hook woke it.
            assert receiver.wait_for(lambda r: len(r.verified()) == 1, timeout=30)
            assert time.monotonic() - started < 60
        finally:
            worker.stop(wait=10)


def test_a_stuck_receiver_delays_others_by_one_attempt_deadline_and_its_lease_never_expires(live):
    """A receiver that drips its headers forever holds its attempt until the deadline
    (connect + read timeout, 2 s here), then the attempt fails; a healthy endpoint's delivery
    behind it in the same batch, on the one sending thread, waits that long at most. The lease
    outlasts the attempt, so a second worker looking all along never sends it again."""
    runtime = Runtime(live.settings.replace(webhooks={
        "connect_timeout_seconds": 1.0, "read_timeout_seconds": 1.0, "claim_seconds": 5.0, "concurrency": 1,
        "retry_initial_seconds": 600.0, "retry_max_interval_seconds": 3600.0}), clock=live.clock, database=live.db)
    deadline, margin = 2.0, 3.0
    arrived: list[float] = []
    stop = threading.Event()
    first, second = Deliverer(runtime, worker_id="first"), Deliverer(runtime, worker_id="second")
    second_claimed: list[int] = []

    def look_for_work() -> None:
        while not stop.is_set():
            second_claimed.append(second.pass_once())
            stop.wait(0.1)

    with DrippingReceiver(drip="headers", interval=0.3) as stuck, Receiver() as healthy:
        _endpoint(runtime, stuck.url)  # the older endpoint: its delivery is claimed, and tried, first
        healthy.secret = _endpoint(runtime, healthy.url)
        healthy.before_response = lambda record: arrived.append(time.monotonic())
        threads = [threading.Thread(target=deliver_pending, args=(runtime, first), daemon=True),
                   threading.Thread(target=look_for_work, daemon=True)]
        try:
            _approve(runtime, 1)
            started = time.monotonic()
            threads[0].start()
            assert _wait(lambda: stuck.requests() == 1, timeout=30)
            threads[1].start()
            # Past the end of the first worker's lease on the stuck delivery.
            lease_over = started + runtime.settings.webhooks.claim_seconds + 1.5
            assert _wait(lambda: time.monotonic() > lease_over, timeout=60)
            assert stuck.requests() == 1, "the stuck delivery was sent again: its lease ended before its attempt"
            assert _wait(lambda: not threads[0].is_alive(), timeout=30)
            assert len(arrived) == 1 and arrived[0] - started < deadline + margin, \
                [round(at - started, 1) for at in arrived]
        finally:
            stop.set()
            stuck.stop()  # ends a hung attempt too, so that the test fails instead of hanging
            for thread in threads:
                thread.join(30)
            first.close()
            second.close()
    assert healthy.counts() == {healthy.verified()[0].webhook_id: 1}
    with runtime.db.transaction(write=False) as session:
        attempts = list(session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))
        stuck_delivery = session.scalars(select(WebhookDelivery).where(WebhookDelivery.id == attempts[0].delivery_id)
                                         ).one()
        assert [(a.ok, a.error) for a in attempts] == [(False, "timeout (attempt over 2 s)"), (True, None)]
        assert deadline * 1000 - 100 <= attempts[0].latency_ms < (deadline + margin) * 1000
        assert stuck_delivery.state == "pending" and stuck_delivery.claimed_by is None


def _worker_process(url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "MODERATION_DATABASE__URL": url, "MODERATION_SCORING__BACKEND": "none",
           "MODERATION_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES": "true", "MODERATION_WEBHOOKS__POLL_INTERVAL_SECONDS": "0.2",
           "MODERATION_WEBHOOKS__RETRY_INITIAL_SECONDS": "0.2", "MODERATION_WEBHOOKS__RETRY_MAX_INTERVAL_SECONDS": "1",
           "MODERATION_WEBHOOKS__BATCH_SIZE": "10", "MODERATION_WEBHOOKS__CONCURRENCY": "2",
           # Short leases, so that what a killed worker held returns within seconds.
           "MODERATION_WEBHOOKS__CONNECT_TIMEOUT_SECONDS": "0.5", "MODERATION_WEBHOOKS__READ_TIMEOUT_SECONDS": "1",
           "MODERATION_WEBHOOKS__CLAIM_SECONDS": "4"}
    return subprocess.Popen([sys.executable, "-m", "moderation.cli", "webhooks", "worker"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=open(log, "ab"), start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_a_worker_killed_mid_delivery_loses_nothing(live, database_url, tmp_path):
    total = 60
    with Receiver(delay=0.02) as receiver:
        receiver.secret = _endpoint(live, receiver.url)
        _approve(live, total)
        worker = _worker_process(database_url, tmp_path / "worker.log")
        in_flight: list[str] = []

        def kill_during_the_tenth(record) -> None:
            if len(receiver.requests) == 10 and not in_flight:
                in_flight.append(record.webhook_id)
                os.kill(worker.pid, signal.SIGKILL)  # before the receiver answers: the worker never learns

        receiver.before_response = kill_during_the_tenth
        try:
            assert receiver.wait_for(lambda r: bool(in_flight), timeout=60), (tmp_path / "worker.log").read_text()
            worker.wait(10)
            assert worker.returncode == -signal.SIGKILL
            arrived_before = set(receiver.counts())
            assert len(arrived_before) < total
            worker = _worker_process(database_url, tmp_path / "worker.log")
            assert receiver.wait_for(lambda r: len(r.counts()) == total, timeout=90), len(receiver.counts())
            assert _wait(lambda: _delivered(live) == total, timeout=60)
        finally:
            _stop(worker)
    counts = receiver.counts()
    assert all(n >= 1 for n in counts.values()) and receiver.unverified() == []
    # The one in flight when the worker died was never confirmed to it: it went again (at least once).
    assert counts[in_flight[0]] >= 2


def test_two_workers_deliver_every_event_exactly_once(live, database_url, tmp_path):
    total = 200
    with Receiver(delay=0.005) as receiver:
        receiver.secret = _endpoint(live, receiver.url)
        workers = [_worker_process(database_url, tmp_path / f"worker-{n}.log") for n in range(2)]
        try:
            for _ in range(4):
                _approve(live, total // 4)
            assert receiver.wait_for(lambda r: len(r.counts()) == total, timeout=120), len(receiver.counts())
            assert _wait(lambda: _delivered(live) == total, timeout=60)
            assert all(w.poll() is None for w in workers), "a worker died"
        finally:
            for worker in workers:
                _stop(worker)
    counts = receiver.counts()
    assert len(counts) == total and set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    assert receiver.unverified() == []
    for n in range(2):
        assert "Traceback" not in (tmp_path / f"worker-{n}.log").read_text()


@pytest.mark.skipif(not hasattr(os, "sched_getscheduler"), reason="Linux thread priorities")
def test_sending_threads_yield_to_requests_at_the_configured_niceness(live):
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert live.settings.webhooks.niceness == 10
    with Receiver() as receiver:
        receiver.secret = _endpoint(live, receiver.url)
        worker = DeliveryWorker(live)
        worker.start()
        try:
            _approve(live, 4)
            assert receiver.wait_for(lambda r: len(r.verified()) == 4, timeout=60)
            senders = [t for t in threading.enumerate() if t.name.startswith("webhook-send")]
            assert senders
            for thread in senders:
                assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == max(own, 10), thread.name
            # The thread that holds the database transactions keeps its priority (a niced
            # holder of SQLite's one writer would stall intake), as do the request threads.
            assert os.getpriority(os.PRIO_PROCESS, worker._thread.native_id) == own
            assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
        finally:
            worker.stop(wait=10)


@pytest.fixture
def child_environment(monkeypatch, database_url):
    """What the serving process's environment gives the delivery process it starts."""
    for name, value in {"MODERATION_DATABASE__URL": database_url, "MODERATION_SCORING__BACKEND": "none",
                        "MODERATION_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES": "true",
                        # Polling alone would take a minute: a prompt delivery shows the wake-up.
                        "MODERATION_WEBHOOKS__POLL_INTERVAL_SECONDS": "60",
                        "MODERATION_WEBHOOKS__RETRY_INITIAL_SECONDS": "0.2"}.items():
        monkeypatch.setenv(name, value)


def test_serving_processes_run_one_delivery_process_that_commits_wake(live, child_environment, tmp_path):
    from moderation.webhooks.process import DeliveryProcess

    with Receiver() as receiver:
        receiver.secret = _endpoint(live, receiver.url)
        first, second = DeliveryProcess(live), DeliveryProcess(Runtime(live.settings, clock=live.clock,
                                                                       database=live.db))
        first.start()
        second.start()
        try:
            assert _wait(lambda: {first.state, second.state} == {"running", "standby"}, timeout=60), \
                (first.state, second.state)
            holder = first if first.state == "running" else second
            # Until the child listens, a commit's wake-up is lost: approve until the first arrives.
            assert _wait(lambda: _approve(live, 1) is None and receiver.wait_for(
                lambda r: len(r.verified()) >= 1, timeout=5), timeout=90)
            started = time.monotonic()
            _approve(live, 3)
            assert receiver.wait_for(lambda r: len(r.verified()) >= 4, timeout=30)
            assert time.monotonic() - started < 30  # the 60 s poll did not deliver them: the wake-up did
            ready = holder.status()
            assert ready["ok"] and ready["state"] == "running" and ready["pid"] == holder.child.pid

            # The child killed: the serving process starts another, and nothing is lost.
            old = holder.child.pid
            os.kill(old, signal.SIGKILL)
            assert _wait(lambda: holder.restarts == 1 and holder.state == "running" and holder.child.pid != old,
                         timeout=60)
            _approve(live, 2)
            assert receiver.wait_for(lambda r: len(r.verified()) >= 6, timeout=60)
            assert receiver.unverified() == []
        finally:
            first.stop()
            second.stop()
        assert holder.child.poll() is not None  # stopped with the serving process
        assert holder.state == "stopped"


def test_the_delivery_process_stops_when_its_serving_process_is_gone(live, child_environment, tmp_path):
    """A serving process killed outright cannot stop its child: the child notices and stops."""
    script = ("import time; from moderation.config import load_settings; from moderation.runtime import Runtime; "
              "from moderation.webhooks.process import DeliveryProcess; "
              "p = DeliveryProcess(Runtime(load_settings())); p.start(); "
              "[time.sleep(0.1) for _ in range(600) if p.state != 'running']; "
              "print(p.child.pid, flush=True); time.sleep(600)")
    serving = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        child = int(serving.stdout.readline())
        os.kill(serving.pid, signal.SIGKILL)
        serving.wait(10)

        def gone() -> bool:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                return True
            with open(f"/proc/{child}/stat") as stat:  # a zombie is gone too (init reaps it)
                return stat.read().split()[2] == "Z"

        assert _wait(gone, timeout=60)
    finally:
        if serving.poll() is None:
            serving.kill()
