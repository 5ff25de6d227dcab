"""One attempt over HTTP against receivers that answer slowly on purpose: however a receiver
drips its answer, an attempt ends within connect_timeout + read_timeout in all."""
from __future__ import annotations

import threading
import time

from moderation.webhooks.transport import Outcome, Sender
from tests.webhooks.receiver import DrippingReceiver, Receiver

CONNECT, READ = 1.0, 1.0
DEADLINE = CONNECT + READ
MARGIN = 3.0  # a loaded machine's scheduling, not the receiver's doing


def _timed_post(sender: Sender, url: str, wait: float = 30.0) -> tuple[Outcome | None, float]:
    """The outcome and how long it took; (None, wait) when it had not ended after ``wait`` s."""
    result: list[Outcome] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.append(sender.post(url, {"webhook-id": "msg_1"}, b"{}")),
                              daemon=True)
    thread.start()
    thread.join(wait)
    return (result[0] if result else None), time.monotonic() - started


def test_a_receiver_that_drips_its_headers_holds_an_attempt_for_its_deadline_at_most():
    """A status line, then one header byte every 0.3 s: each read gets an answer within the
    read timeout, so only a deadline for the whole attempt ends it."""
    sender = Sender(CONNECT, READ, allow_private=True)
    with DrippingReceiver(drip="headers", interval=0.3) as receiver:
        try:
            outcome, took = _timed_post(sender, receiver.url, wait=DEADLINE + 10)
        finally:
            receiver.stop()  # ends a hung attempt too, so the test fails instead of hanging
            sender.close()
    assert outcome is not None, f"the attempt was still running after {took:.1f} s"
    assert took < DEADLINE + MARGIN, took
    assert not outcome.ok and outcome.status is None
    assert outcome.error == "timeout (attempt over 2 s)"
    assert outcome.latency_ms is not None and outcome.latency_ms >= DEADLINE * 1000 - 100
    assert receiver.requests() == 1


def test_a_2xx_whose_body_drips_counts_and_ends_at_the_deadline():
    """The status is the answer; the body is read only to reuse the connection."""
    sender = Sender(CONNECT, READ, allow_private=True)
    with DrippingReceiver(drip="body", interval=0.3) as receiver:
        try:
            outcome, took = _timed_post(sender, receiver.url, wait=DEADLINE + 10)
        finally:
            receiver.stop()
            sender.close()
    assert outcome is not None, f"the attempt was still running after {took:.1f} s"
    assert took < DEADLINE + MARGIN, took
    assert outcome.ok and outcome.status == 200 and outcome.error is None


def test_a_healthy_receiver_after_a_dripping_one_on_the_same_sender():
    """A deadline that passed in one attempt is not left behind for the next one."""
    sender = Sender(CONNECT, READ, allow_private=True)
    try:
        with DrippingReceiver(drip="headers", interval=0.3) as stuck:
            first, _ = _timed_post(sender, stuck.url, wait=DEADLINE + 10)
        with Receiver() as healthy:
            second, took = _timed_post(sender, healthy.url)
            third, _ = _timed_post(sender, healthy.url)  # the kept-alive connection
    finally:
        sender.close()
    assert first is not None and not first.ok
    assert second is not None and second.status == 401 and took < DEADLINE  # unsigned: the receiver says 401
    assert third is not None and third.status == 401
