"""Delivery end to end, in-process: real changes through the API publish outbox events, the
worker's job delivers them over HTTP to a real receiver on 127.0.0.1 that verifies every
signature with the standardwebhooks library. Time for back-off is the test's FrozenClock."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.closing.jobs import sweep
from moderation.closing.policy import ClosingPolicy
from moderation.closing.service import announce_quiet_hours
from moderation.events import service as events
from moderation.events.models import DomainEvent
from moderation.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from moderation.webhooks.service import fan_out
from tests.factories import headers, make_article, make_comment, make_key
from tests.webhooks.conftest import PERSONAL_NAME, PERSONAL_WORDS, add_endpoint, deliver
from tests.webhooks.receiver import Receiver, free_port

# The documented payload: data holds the event id, the article id and these ids and states.
DATA_KEYS = {
    "comment.approved": {"comment_id", "previous_status", "status"},
    "comment.rejected": {"comment_id", "previous_status", "status"},
    "comment.unpublished": {"comment_id", "previous_status", "status"},
    "comment.reported": {"comment_id", "reason"},
    "thread.locked": {"reason"},
    "thread.reopened": {"closes_at"},
    "thread.paused": {"paused_at", "resumes_at"},
    "thread.resumed": {"resumed_at", "next_pause_at"},
    "author.banned": {"author_id"},
    "author.erased": {"author_id", "comment_ids", "article_ids"},
    "thread.changed": {"reason"},
}


def _outbox(runtime) -> list[DomainEvent]:
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(DomainEvent).order_by(DomainEvent.id)))


def _deliveries(runtime) -> list[WebhookDelivery]:
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_every_event_type_is_delivered_once_with_its_payload_and_no_personal_data(runtime, client, admin, receiver,
                                                                                  deliverer):
    add_endpoint(client, admin, receiver, events=list(events.EVENT_TYPES))
    moderator, frontend = headers(make_key(runtime, "moderator")), headers(make_key(runtime, "frontend"))
    article = make_article(runtime)
    overdue = make_article(runtime, published_at=runtime.now() - timedelta(hours=80))
    comment = make_comment(runtime, article, author_id="reader-1", author_name=PERSONAL_NAME,
                           body=f"Bonjour, {PERSONAL_WORDS}.")
    decide = f"/api/v1/moderation/comments/{comment.id}/decision"
    assert client.post(decide, headers=moderator, json={"action": "approve"}).status_code == 200
    assert client.post(f"/api/v1/comments/{comment.id}/reports", headers=frontend,
                       json={"reporter_id": "r-9", "reason": "spam"}).status_code == 202
    assert client.post(decide, headers=moderator,
                       json={"action": "reject", "expected_status": "approved"}).status_code == 200
    posted = client.post(f"/api/v1/articles/{article}/comments", headers=frontend,
                         json={"author": {"id": "reader-2", "name": PERSONAL_NAME},
                               "body": f"spamword {PERSONAL_WORDS}"})
    assert posted.status_code == 202 and posted.json["status"] == "rejected"  # intake's automatic rejection
    assert client.post(f"/api/v1/articles/{article}/lock", headers=moderator, json={}).status_code == 200
    assert client.post(f"/api/v1/articles/{article}/unlock", headers=moderator, json={}).status_code == 200
    assert sweep(runtime) == [overdue]  # the closing job's lock
    # Quiet hours from 09:00 (now) to 10:00 in Zurich: one event for the site at each boundary.
    quiet = ClosingPolicy.from_settings(runtime.settings.replace(closing={"quiet_hours": ["09:00-10:00"]}))
    for later, announced in ((0, "thread.paused"), (1, "thread.resumed")):
        with runtime.db.transaction() as session:
            assert announce_quiet_hours(session, quiet, runtime.now() + timedelta(hours=later)) == announced
    assert client.post("/api/v1/moderation/authors/reader-1/ban", headers=moderator, json={}).status_code == 200
    assert client.post("/api/v1/moderation/authors/reader-1/erase", headers=admin).status_code == 200

    deliver(deliverer)

    published = _outbox(runtime)
    assert Counter(e.type for e in published) == Counter({
        "comment.approved": 1, "comment.reported": 1, "comment.rejected": 2, "comment.unpublished": 1,
        "thread.locked": 2, "thread.reopened": 1, "thread.paused": 1, "thread.resumed": 1, "author.banned": 1,
        "author.erased": 1, "thread.changed": 5})
    assert receiver.unverified() == []
    assert receiver.counts() == Counter({event.event_id: 1 for event in published})
    by_id = {r.webhook_id: r for r in receiver.verified()}
    for event in published:
        received = by_id[event.event_id]
        body = received.payload
        assert set(body) == {"type", "timestamp", "data"}
        assert body["type"] == event.type
        assert body["timestamp"] == event.at.isoformat().replace("+00:00", "Z")
        assert set(body["data"]) == {"event_id", "article_id"} | DATA_KEYS[event.type], event.type
        assert body["data"]["event_id"] == event.event_id
        assert body["data"]["article_id"] == event.article_id
        assert received.headers["content-type"] == "application/json"
        raw = received.body.decode()
        for personal in (PERSONAL_NAME, PERSONAL_WORDS, "Bonjour", "Ophélie", "Ophelie", "Secr"):
            assert personal not in raw
    locks = sorted(by_id[e.event_id].payload["data"]["reason"] for e in published if e.type == "thread.locked")
    assert locks == ["deadline", "manual"]
    erased = next(by_id[e.event_id].payload["data"] for e in published if e.type == "author.erased")
    assert erased["comment_ids"] == [comment.id] and erased["author_id"] == "reader-1"
    assert all(d.state == "delivered" and d.attempts == 1 for d in _deliveries(runtime))

    deliver(deliverer)  # nothing is due any more: nothing is sent twice
    assert max(receiver.counts().values()) == 1


def test_only_subscribed_types_are_delivered(runtime, client, admin, receiver, deliverer):
    add_endpoint(client, admin, receiver, events=["thread.locked"])
    moderator = headers(make_key(runtime, "moderator"))
    article = make_article(runtime)
    comment = make_comment(runtime, article)
    client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator, json={"action": "approve"})
    client.post(f"/api/v1/articles/{article}/lock", headers=moderator, json={})
    deliver(deliverer)
    assert [r.payload["type"] for r in receiver.verified()] == ["thread.locked"]


def test_a_change_that_rolls_back_delivers_nothing(runtime, client, admin, receiver, deliverer):
    add_endpoint(client, admin, receiver)
    moderator = headers(make_key(runtime, "moderator"))
    comment = make_comment(runtime, make_article(runtime))
    with pytest.raises(RuntimeError):
        with runtime.db.transaction() as session:
            events.publish(session, events.COMMENT_APPROVED, runtime.now(), article_id=comment.article_id,
                           comment_id=comment.id, previous_status="pending", status="approved")
            raise RuntimeError("the change fails after publishing")
    refused = client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                          json={"action": "approve", "expected_status": "rejected"})
    assert refused.status_code == 409
    deliver(deliverer)
    assert _outbox(runtime) == [] and _deliveries(runtime) == []
    assert receiver.requests == []


def _approve(runtime, client, count: int) -> list[int]:
    moderator = headers(make_key(runtime, "moderator"))
    article = make_article(runtime)
    ids = [make_comment(runtime, article).id for _ in range(count)]
    response = client.post("/api/v1/moderation/decisions", headers=moderator,
                           json={"decisions": [{"comment_id": c, "action": "approve"} for c in ids]})
    assert response.status_code == 200
    return ids


def test_receiver_down_then_up_gets_every_event_once(runtime, client, admin, clock, deliverer):
    receiver = Receiver(free_port())  # nothing listens on its port yet: connection refused
    add_endpoint(client, admin, receiver)
    _approve(runtime, client, 5)
    for _ in range(6):  # 30 s of the test's clock, down all along
        deliver(deliverer)
        clock.advance(seconds=5)
    with runtime.db.transaction(write=False) as session:
        attempts = list(session.scalars(select(WebhookAttempt)))
    assert attempts and all(a.error == "connection refused" and not a.ok for a in attempts)
    # After a failure the rest of the run waits untried: one attempt per back-off step, not per event.
    assert len(attempts) < 6 * 5
    assert {d.state for d in _deliveries(runtime)} == {"pending"}

    with receiver:
        clock.advance(hours=1)
        deliver(deliverer)
        assert len(receiver.counts()) == 5 and max(receiver.counts().values()) == 1
        assert receiver.unverified() == []
        assert {d.state for d in _deliveries(runtime)} == {"delivered"}
        clock.advance(hours=2)
        deliver(deliverer)
        assert max(receiver.counts().values()) == 1
    with runtime.db.transaction(write=False) as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.failing_since is None and endpoint.consecutive_failures == 0


def test_500_then_200_gets_the_retry(runtime, client, admin, clock, deliverer):
    with Receiver(statuses=[500]) as receiver:
        endpoint = add_endpoint(client, admin, receiver)
        _approve(runtime, client, 1)
        deliver(deliverer)
        assert [r.status for r in receiver.requests] == [500]
        [delivery] = _deliveries(runtime)
        assert delivery.state == "pending" and delivery.last_status == 500 and delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at > runtime.now()
        deliver(deliverer)  # not due yet
        assert len(receiver.requests) == 1
        clock.advance(seconds=2)  # the first back-off step is 0.5 to 1 s (retry_initial_seconds = 1)
        deliver(deliverer)
        assert [r.status for r in receiver.requests] == [500, 200]
        assert receiver.requests[0].webhook_id == receiver.requests[1].webhook_id
    [delivery] = _deliveries(runtime)
    assert delivery.state == "delivered" and delivery.attempts == 2
    attempts = client.get(f"/api/v1/admin/webhooks/{endpoint['id']}/attempts", headers=admin).json["items"]
    assert [(a["number"], a["ok"], a["status"], a["error"]) for a in attempts] == [(2, True, 200, None),
                                                                                 (1, False, 500, "HTTP 500")]
    assert all(a["latency_ms"] is not None and a["attempted_at"] for a in attempts)


def test_back_off_grows_with_jitter(hooks_settings):
    import random

    from moderation.webhooks.service import backoff

    settings = hooks_settings.webhooks
    rng = random.Random(7)
    waits = [backoff(n, settings, rng).total_seconds() for n in range(1, 16)]
    for n, wait in enumerate(waits, start=1):
        step = min(settings.retry_max_interval_seconds, settings.retry_initial_seconds * 2 ** (n - 1))
        assert step / 2 <= wait <= step
    assert len({round(w, 6) for w in waits}) == len(waits)  # jittered, not a fixed schedule


def test_an_endpoint_failing_for_the_whole_retry_window_is_disabled(runtime, client, admin, clock, deliverer):
    receiver = Receiver(free_port())
    endpoint = add_endpoint(client, admin, receiver)
    _approve(runtime, client, 2)
    started = runtime.now()
    while runtime.now() < started + timedelta(hours=25):
        deliver(deliverer)
        clock.advance(minutes=10)
    shown = client.get(f"/api/v1/admin/webhooks/{endpoint['id']}", headers=admin).json
    assert shown["state"] == "disabled"
    assert "24 hours" in shown["disabled_reason"] and "connection refused" in shown["disabled_reason"]
    with runtime.db.transaction(write=False) as session:
        attempts = list(session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))
    # Retried until the window's end, then given up.
    assert attempts[-1].attempted_at >= started + timedelta(hours=24)
    assert attempts[-1].attempted_at - attempts[0].attempted_at >= timedelta(hours=24)
    assert "failed" in {d.state for d in _deliveries(runtime)}
    # New events are not queued for a disabled endpoint; enabling it resumes the waiting ones.
    _approve(runtime, client, 1)
    deliver(deliverer)
    assert len(_deliveries(runtime)) == 2
    with receiver:
        assert client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/enable", headers=admin).status_code == 200
        deliver(deliverer)
        for delivery in _deliveries(runtime):
            if delivery.state == "failed":
                response = client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/deliveries/{delivery.id}/redeliver",
                                       headers=admin)
                assert response.status_code == 202
        deliver(deliverer)
        assert len(receiver.counts()) == 2
    assert {d.state for d in _deliveries(runtime)} == {"delivered"}


def test_fan_out_picks_up_an_id_committed_after_a_higher_one(runtime, client, admin, receiver, clock):
    """PostgreSQL hands out ids before commit: id 11 may commit after 12 was read."""
    add_endpoint(client, admin, receiver)
    table = DomainEvent.__table__

    def event(session, seq: int) -> None:
        session.execute(table.insert().values(id=seq, event_id=f"evt_gap_{seq}", type="thread.locked",
                                              at=runtime.now(), article_id="a-1", data={"reason": "manual"}))

    def fan(session) -> int:
        return fan_out(session, runtime.now(), runtime.settings.webhooks.outbox_gap_seconds)

    base = 10**9
    with runtime.db.transaction() as session:
        event(session, base)
        fan(session)
        event(session, base + 2)
        event(session, base + 4)
        fan(session)
        event(session, base + 1)  # "commits late"
        assert fan(session) == 1
        clock.advance(seconds=runtime.settings.webhooks.outbox_gap_seconds + 1)
        event(session, base + 3)  # too late: taken for a rollback
        assert fan(session) == 0
        created = sorted(session.scalars(select(WebhookDelivery.event_id)))
    assert created == sorted(f"evt_gap_{base + n}" for n in (0, 1, 2, 4))


def test_old_delivered_deliveries_are_pruned_with_their_attempts(runtime, client, admin, receiver, clock, deliverer):
    endpoint = add_endpoint(client, admin, receiver)
    client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/test", headers=admin)
    deliver(deliverer)
    clock.advance(days=runtime.settings.webhooks.keep_days - 1)
    assert deliverer.prune() == 0
    with Receiver(free_port()) as down:  # a second endpoint whose delivery stays pending
        other = add_endpoint(client, admin, down)
    client.post(f"/api/v1/admin/webhooks/{other['id']}/test", headers=admin)
    deliver(deliverer)
    clock.advance(days=2)
    assert deliverer.prune() == 1
    with runtime.db.transaction(write=False) as session:
        assert [d.state for d in session.scalars(select(WebhookDelivery))] == ["pending"]
        assert {a.delivery_id for a in session.scalars(select(WebhookAttempt))} == {
            session.scalars(select(WebhookDelivery.id)).one()}


def test_pending_deliveries_of_a_disabled_endpoint_never_block_pruning(runtime, client, admin, receiver, clock,
                                                                        deliverer):
    """The oldest deliveries wait for a disabled endpoint; newer delivered ones are still pruned."""
    from moderation.webhooks import service

    with Receiver(free_port()) as down:
        stuck = add_endpoint(client, admin, down)
    for _ in range(3):
        client.post(f"/api/v1/admin/webhooks/{stuck['id']}/test", headers=admin)
    deliver(deliverer)
    assert client.post(f"/api/v1/admin/webhooks/{stuck['id']}/disable", json={}, headers=admin).status_code == 200
    endpoint = add_endpoint(client, admin, receiver)
    for _ in range(2):
        client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/test", headers=admin)
    deliver(deliverer)
    clock.advance(days=runtime.settings.webhooks.keep_days + 1)
    with runtime.db.transaction() as session:
        # The limit is smaller than the number of stuck deliveries ahead of the delivered ones.
        assert service.prune(session, runtime.now() - timedelta(days=runtime.settings.webhooks.keep_days),
                             limit=2) == 2
    with runtime.db.transaction(write=False) as session:
        assert [d.state for d in session.scalars(select(WebhookDelivery))] == ["pending"] * 3


def _outbox_types(runtime) -> list[str]:
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(DomainEvent.type).order_by(DomainEvent.id)))


def _approve(runtime, client, n: int = 1) -> None:
    moderator = headers(make_key(runtime, "moderator"))
    article = make_article(runtime)
    for _ in range(n):
        comment = make_comment(runtime, article)
        assert client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=moderator,
                           json={"action": "approve"}).status_code == 200


def test_outbox_events_are_pruned_after_keep_days_once_fanned_out(runtime, client, admin, receiver, clock,
                                                                 deliverer):
    """The API documents events as pruned after keep_days: the outbox must not grow forever."""
    add_endpoint(client, admin, receiver)
    _approve(runtime, client, 2)
    deliver(deliverer)
    keep = runtime.settings.webhooks.keep_days
    clock.advance(days=keep - 1)
    deliverer.prune()
    assert _outbox_types(runtime) == ["comment.approved", "thread.changed"] * 2  # not old enough
    clock.advance(days=1, seconds=1)
    with runtime.db.transaction() as session:  # one more, published but not fanned out yet
        events.publish(session, events.THREAD_LOCKED, runtime.now() - timedelta(days=keep + 1), article_id="a")
    deliverer.prune()
    assert _outbox_types(runtime) == ["thread.locked"]  # old, but no consumer has read it yet


def test_with_webhooks_off_the_leader_prunes_the_outbox(settings, engine, committed_runtime, clock):
    """No delivery worker runs, and the outbox is pruned all the same, by the leader's scheduler."""
    from moderation.closing.scheduler import PRUNE_JOB, ClosingScheduler
    from moderation.db import Database
    from moderation.runtime import Runtime

    runtime = Runtime(settings.replace(webhooks={"enabled": False}), clock=clock,
                      database=Database(settings.database, engine))
    with runtime.db.transaction() as session:
        events.publish(session, events.THREAD_LOCKED, runtime.now(), article_id="old")
    clock.advance(days=runtime.settings.webhooks.keep_days, seconds=1)
    with runtime.db.transaction() as session:
        events.publish(session, events.THREAD_LOCKED, runtime.now(), article_id="recent")
    scheduler = ClosingScheduler(runtime)
    scheduler.start()
    try:
        assert scheduler.scheduler.get_job(PRUNE_JOB) is not None
        assert scheduler.run_prune() == 1
    finally:
        scheduler.shutdown()
    with runtime.db.transaction(write=False) as session:
        assert list(session.scalars(select(DomainEvent.article_id))) == ["recent"]


def test_time_spent_before_sending_comes_off_the_lease(runtime, client, admin, receiver, deliverer, monkeypatch):
    """The lease runs from the claim's "now": a pass that waited for the database's writer, or
    read a backlog of events, after it has less of it left to send in. No attempt may start
    that its deadline would carry past the lease, when another worker could send it too."""
    import time

    from moderation.webhooks import service

    endpoint = add_endpoint(client, admin, receiver)
    client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/test", headers=admin)
    settings = runtime.settings.webhooks
    real_claim_due, real_monotonic, offset = service.claim_due, time.monotonic, [0.0]

    def slow_claim(*args, **kwargs):
        claimed = real_claim_due(*args, **kwargs)
        # The claim took most of the lease: what is left is less than one attempt's deadline.
        offset[0] += settings.claim_seconds - (settings.connect_timeout_seconds + settings.read_timeout_seconds)
        return claimed

    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + offset[0])
    monkeypatch.setattr(service, "claim_due", slow_claim)
    deliverer.pass_once()
    assert receiver.requests == []
    [delivery] = _deliveries(runtime)
    assert delivery.state == "pending" and delivery.claimed_by is None and delivery.attempts == 0
    assert delivery.next_attempt_at <= runtime.now()  # released untried, due at once

    monkeypatch.setattr(service, "claim_due", real_claim_due)
    deliver(deliverer)
    assert len(receiver.verified()) == 1
