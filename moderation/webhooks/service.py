"""Webhooks' database side: endpoints, the fan-out of outbox events into deliveries, the
workers' leases on due deliveries, and what each attempt changes.

* Fan-out reads ``domain_events`` after commit, in id order, and creates one delivery per
  active endpoint subscribed to the event's type (unique per endpoint and event, so reading
  an event twice creates nothing twice). One process at a time fans out: the
  ``webhook_fanout`` row is taken FOR UPDATE SKIP LOCKED on PostgreSQL, under the write
  lock on SQLite.
* A claim is a lease (``claimed_by``, ``claim_expires_at``) committed before any HTTP
  request, like the scoring worker's: no row lock is held while a receiver answers, and
  the deliveries of a worker that dies return to the others when the lease ends. On
  PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, so two workers never claim the same
  delivery. Results are written only while the lease is still this worker's.
* A failure schedules the next attempt with exponential back-off and jitter, from the
  delivery's and the endpoint's failures, for ``max_retry_hours``; an endpoint that failed
  without a success for that long is disabled with the reason.
"""
from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable
from urllib.parse import urlsplit

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from moderation import signals
from moderation.audit import service as audit
from moderation.clock import utc_iso
from moderation.config import WebhooksSettings
from moderation.errors import AddressRefused, Conflict, NotFound, validation_error
from moderation.events import service as events
from moderation.events.models import DomainEvent
from moderation.events.service import EVENT_TYPES, new_event_id
from moderation.text import RECEIVER_URL_PATTERN
from moderation.webhooks.models import (
    ACTIVE,
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
)
from moderation.webhooks.signing import new_secret
from moderation.webhooks.transport import Outcome, literal_address_problem

log = logging.getLogger(__name__)

TEST_EVENT = "webhook.test"
FANOUT_ROW = 1
MAX_GAP_RANGES = 100


# --- endpoints -------------------------------------------------------------------------

def check_url(url: str, allow_private: bool) -> str:
    """An absolute http(s) URL without credentials or fragment (RECEIVER_URL_PATTERN, the rule
    the API documents); an IP literal must be an address deliveries may go to.

    Host names are checked after resolution on every attempt (transport.py), since what a
    name resolves to can change after it is saved.
    """
    if len(url) > 2048 or re.fullmatch(RECEIVER_URL_PATTERN, url) is None:
        raise validation_error("url", "Must be an http(s) URL with a host, without user name, password or fragment.")
    try:
        urlsplit(url).port  # noqa: B018  (parses the host and port; a malformed IPv6 literal raises)
    except ValueError:
        raise validation_error("url", "Not a valid URL.") from None
    problem = literal_address_problem(url, allow_private)
    if problem is not None:
        # A well-formed URL that this service's configuration refuses to send to.
        raise AddressRefused(f"Deliveries to {urlsplit(url).hostname} are refused: {problem}.",
                             details={"url": url, "allow_private_addresses": allow_private})
    return url


def check_event_types(types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(types))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise validation_error("events", f"Unknown event types: {', '.join(unknown)}. "
                                         f"Known: {', '.join(EVENT_TYPES)}.")
    if not chosen:
        raise validation_error("events", "Name at least one event type.")
    return chosen


def create_endpoint(session: Session, url: str, event_types: list[str], description: str | None, actor: str,
                    now: datetime, allow_private: bool) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint; returns it and its signing secret (shown once)."""
    secret = new_secret()
    endpoint = WebhookEndpoint(url=check_url(url, allow_private), event_types=check_event_types(event_types),
                               description=description, secret=secret, state=ACTIVE, consecutive_failures=0,
                               created_by=actor, created_at=now, updated_at=now)
    session.add(endpoint)
    session.flush()
    audit.record(session, now, actor, "webhook_create", details={"endpoint_id": endpoint.id,
                                                                 "events": endpoint.event_types})
    return endpoint, secret


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, endpoint_id: int, *, for_update: bool = False) -> WebhookEndpoint:
    endpoint = None
    if 0 < endpoint_id < 2**63:
        query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        endpoint = session.scalar(query.with_for_update() if for_update else query)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", details={"endpoint_id": endpoint_id})
    return endpoint


def update_endpoint(session: Session, endpoint_id: int, changes: dict[str, Any], actor: str, now: datetime,
                    allow_private: bool) -> WebhookEndpoint:
    """Change url, events, description and/or ``active`` (true re-enables, false disables)."""
    endpoint = get_endpoint(session, endpoint_id, for_update=True)
    if "url" in changes:
        endpoint.url = check_url(changes["url"], allow_private)
    if "events" in changes:
        endpoint.event_types = check_event_types(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    endpoint.updated_at = now
    audit.record(session, now, actor, "webhook_update",
                 details={"endpoint_id": endpoint.id, "changed": sorted(changes)})
    if changes.get("active") is True:
        enable_endpoint(session, endpoint_id, actor, now)
    elif changes.get("active") is False:
        disable_endpoint(session, endpoint_id, actor, "disabled by an admin", now)
    signals.notify_after_commit(session, signals.deliveries_queued)
    return endpoint


def disable_endpoint(session: Session, endpoint_id: int, actor: str, reason: str | None,
                     now: datetime) -> WebhookEndpoint:
    """Stop deliveries to this endpoint. Its pending deliveries wait; new events are not queued for it."""
    endpoint = get_endpoint(session, endpoint_id, for_update=True)
    if endpoint.state != DISABLED:
        endpoint.state, endpoint.disabled_at, endpoint.updated_at = DISABLED, now, now
        endpoint.disabled_reason = reason or "disabled by an admin"
        audit.record(session, now, actor, "webhook_disable", reason=reason, details={"endpoint_id": endpoint.id})
    return endpoint


def enable_endpoint(session: Session, endpoint_id: int, actor: str, now: datetime) -> WebhookEndpoint:
    """Deliver again: the deliveries that waited are due at once, with a fresh retry window."""
    endpoint = get_endpoint(session, endpoint_id, for_update=True)
    if endpoint.state != ACTIVE:
        endpoint.state, endpoint.disabled_at, endpoint.disabled_reason = ACTIVE, None, None
        endpoint.failing_since, endpoint.consecutive_failures, endpoint.updated_at = None, 0, now
        session.execute(update(WebhookDelivery)
                        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == PENDING)
                        .values(next_attempt_at=now, retry_from=now, claimed_by=None, claim_expires_at=None)
                        .execution_options(synchronize_session=False))
        audit.record(session, now, actor, "webhook_enable", details={"endpoint_id": endpoint.id})
    signals.notify_after_commit(session, signals.deliveries_queued)
    return endpoint


def rotate_secret(session: Session, endpoint_id: int, actor: str, now: datetime,
                  keep_previous: timedelta) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned once). The previous one keeps signing, beside it, for ``keep_previous``."""
    endpoint = get_endpoint(session, endpoint_id, for_update=True)
    secret = new_secret()
    if keep_previous > timedelta(0):
        endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + keep_previous
    else:
        endpoint.previous_secret, endpoint.previous_secret_expires_at = None, None
    endpoint.secret, endpoint.updated_at = secret, now
    audit.record(session, now, actor, "webhook_rotate", details={"endpoint_id": endpoint.id})
    return endpoint, secret


def signing_secrets(secret: str, previous: str | None, previous_expires_at: datetime | None,
                    now: datetime) -> list[str]:
    if previous and previous_expires_at is not None and previous_expires_at > now:
        return [secret, previous]
    return [secret]


def backlog(session: Session, endpoint_id: int) -> int:
    return session.scalar(select(func.count()).select_from(WebhookDelivery)
                          .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == PENDING))


# --- events and payloads ---------------------------------------------------------------

def payload(event_type: str, event_id: str, at: datetime, article_id: str | None,
            data: dict[str, Any]) -> dict[str, Any]:
    """The body of a webhook, per Standard Webhooks: type, timestamp and data (ids and states only)."""
    return {"type": event_type, "timestamp": utc_iso(at),
            "data": {"event_id": event_id, "article_id": article_id, **data}}


def body_of(document: dict[str, Any]) -> str:
    """The exact text that is signed and sent."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=True)


def _new_delivery(endpoint_id: int, event_id: str, event_type: str, seq: int | None, document: dict[str, Any],
                  now: datetime) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "event_id": event_id, "event_type": event_type, "event_seq": seq,
            "payload": document, "state": PENDING, "attempts": 0, "created_at": now, "retry_from": now,
            "next_attempt_at": now}


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert deliveries, skipping any (endpoint, event) that exists already."""
    if not rows:
        return
    statement = _dialect_insert(session, WebhookDelivery.__table__).on_conflict_do_nothing(
        index_elements=["endpoint_id", "event_id"])
    session.execute(statement, rows)


def _dialect_insert(session: Session, table):
    """INSERT with ON CONFLICT, which both PostgreSQL and SQLite offer."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def send_test(session: Session, endpoint_id: int, actor: str, now: datetime) -> WebhookDelivery:
    """Queue a ``webhook.test`` event for this endpoint (it goes through the same worker)."""
    endpoint = get_endpoint(session, endpoint_id)
    if endpoint.state != ACTIVE:
        raise Conflict("This endpoint is disabled; enable it first.",
                       details={"endpoint_id": endpoint_id, "state": endpoint.state})
    event_id = new_event_id()
    document = payload(TEST_EVENT, event_id, now, None, {"endpoint_id": endpoint.id})
    delivery = WebhookDelivery(**_new_delivery(endpoint.id, event_id, TEST_EVENT, None, document, now))
    session.add(delivery)
    session.flush()
    signals.notify_after_commit(session, signals.deliveries_queued)
    return delivery


# --- fan-out ---------------------------------------------------------------------------

def has_new_events(session: Session) -> bool:
    """Whether the outbox holds anything the fan-out has not read (a cheap read-only check)."""
    row = session.execute(select(WebhookFanout.last_event_id, WebhookFanout.gaps)
                          .where(WebhookFanout.id == FANOUT_ROW)).first()
    newest = session.scalar(select(func.max(DomainEvent.id)))
    if row is None:
        return newest is not None
    return bool(row.gaps) or (newest is not None and newest > row.last_event_id)


def fan_out(session: Session, now: datetime, gap_seconds: float, limit: int = 500) -> int:
    """Turn outbox events not read yet into deliveries; returns how many events were read.

    Returns 0 at once when another process is fanning out (it will pick these up).
    """
    take = select(WebhookFanout).where(WebhookFanout.id == FANOUT_ROW).with_for_update(skip_locked=True)
    state = session.scalar(take)
    if state is None:
        if session.scalar(select(func.count()).select_from(WebhookFanout)):
            return 0  # held by another process
        # The migration creates the row; it is missing only if the table was emptied.
        session.execute(_dialect_insert(session, WebhookFanout.__table__).on_conflict_do_nothing(),
                        {"id": FANOUT_ROW, "last_event_id": 0, "gaps": [], "updated_at": now})
        state = session.scalar(take)
        if state is None:
            return 0
    horizon = now - timedelta(seconds=gap_seconds)
    gaps = [list(g) for g in state.gaps if datetime.fromisoformat(g[2]) > horizon]
    columns = (DomainEvent.id, DomainEvent.event_id, DomainEvent.type, DomainEvent.at, DomainEvent.article_id,
               DomainEvent.data)
    found = []
    if gaps:
        found += session.execute(select(*columns).where(or_(*[DomainEvent.id.between(lo, hi) for lo, hi, _ in gaps]))
                                 .order_by(DomainEvent.id).limit(limit)).all()
    fresh = session.execute(select(*columns).where(DomainEvent.id > state.last_event_id)
                            .order_by(DomainEvent.id).limit(limit)).all()
    found += fresh
    if found:
        _deliver_to_subscribers(session, found, now)
    for row in found:
        gaps = _split_gap(gaps, row.id)
    if fresh:
        expected = state.last_event_id + 1
        for row in fresh:
            if row.id > expected:
                gaps.append([expected, row.id - 1, now.isoformat()])
            expected = row.id + 1
        state.last_event_id = fresh[-1].id
    state.gaps = _bounded(sorted(gaps))
    state.updated_at = now
    return len(found)


def _deliver_to_subscribers(session: Session, events: list[Any], now: datetime) -> None:
    endpoints = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.event_types)
                                .where(WebhookEndpoint.state == ACTIVE)).all()
    rows = []
    for event in events:
        document = None
        for endpoint in endpoints:
            if event.type in endpoint.event_types:
                document = document or payload(event.type, event.event_id, event.at, event.article_id, event.data)
                rows.append(_new_delivery(endpoint.id, event.event_id, event.type, event.id, document, now))
    _insert_new(session, rows)


def _split_gap(gaps: list[list[Any]], seen: int) -> list[list[Any]]:
    result = []
    for low, high, since in gaps:
        if low <= seen <= high:
            if low < seen:
                result.append([low, seen - 1, since])
            if seen < high:
                result.append([seen + 1, high, since])
        else:
            result.append([low, high, since])
    return result


def _bounded(gaps: list[list[Any]]) -> list[list[Any]]:
    """At most MAX_GAP_RANGES ranges: the closest neighbours merge (re-reading the ids between
    them is harmless, deliveries being unique per endpoint and event)."""
    while len(gaps) > MAX_GAP_RANGES:
        index = min(range(len(gaps) - 1), key=lambda i: gaps[i + 1][0] - gaps[i][1])
        (low, _, first), (_, high, second) = gaps[index], gaps[index + 1]
        gaps[index:index + 2] = [[low, high, max(first, second)]]
    return gaps


# --- claiming and recording ------------------------------------------------------------

@dataclass(frozen=True)
class Claimed:
    id: int
    endpoint_id: int
    url: str
    secrets: list[str]
    event_id: str
    payload: dict[str, Any]
    attempts: int
    retry_from: datetime
    endpoint_failures: int


def _due(now: datetime):
    active = select(WebhookEndpoint.id).where(WebhookEndpoint.state == ACTIVE)
    return and_(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.claim_expires_at.is_(None), WebhookDelivery.claim_expires_at < now),
                WebhookDelivery.endpoint_id.in_(active))


def has_due(session: Session, now: datetime) -> bool:
    """Whether any delivery is due (a cheap read-only check before claiming)."""
    return session.scalar(select(WebhookDelivery.id).where(_due(now)).limit(1)) is not None


def claim_due(session: Session, worker_id: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to this worker, oldest due first."""
    ids = list(session.scalars(select(WebhookDelivery.id).where(_due(now))
                               .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
                               .with_for_update(skip_locked=True, of=WebhookDelivery)))
    if not ids:
        return []
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                    .values(claimed_by=worker_id, claim_expires_at=now + lease)
                    .execution_options(synchronize_session=False))
    rows = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.event_id, WebhookDelivery.payload,
               WebhookDelivery.attempts, WebhookDelivery.retry_from, WebhookEndpoint.url, WebhookEndpoint.secret,
               WebhookEndpoint.previous_secret, WebhookEndpoint.previous_secret_expires_at,
               WebhookEndpoint.consecutive_failures)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id.in_(ids)).order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)).all()
    return [Claimed(row.id, row.endpoint_id, row.url,
                    signing_secrets(row.secret, row.previous_secret, row.previous_secret_expires_at, now),
                    row.event_id, row.payload, row.attempts, row.retry_from, row.consecutive_failures)
            for row in rows]


@dataclass(frozen=True)
class Attempted:
    delivery: Claimed
    outcome: Outcome
    at: datetime


def backoff(failures: int, settings: WebhooksSettings, rng: random.Random | Any = random) -> timedelta:
    """Exponential back-off with jitter: initial * 2^(failures-1), capped, then between half and all of it."""
    exponent = min(max(failures, 1) - 1, 40)
    delay = min(settings.retry_max_interval_seconds, settings.retry_initial_seconds * 2 ** exponent)
    return timedelta(seconds=delay / 2 + rng.uniform(0, delay / 2))


_DELIVERIES = WebhookDelivery.__table__
_SET_DELIVERED = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"), _DELIVERIES.c.claimed_by == bindparam("b_worker"),
           _DELIVERIES.c.state == PENDING)
    .values(state=DELIVERED, delivered_at=bindparam("b_at"), attempts=_DELIVERIES.c.attempts + 1,
            last_attempt_at=bindparam("b_at"), last_status=bindparam("b_status"),
            last_latency_ms=bindparam("b_latency"), last_error=None, claimed_by=None, claim_expires_at=None)
)


def record(session: Session, worker_id: str, attempted: list[Attempted], deferred: list[Claimed], now: datetime,
           settings: WebhooksSettings, rng: random.Random | Any = random) -> None:
    """Write what the attempts of one endpoint's run gave, and release what was not attempted.

    ``attempted`` are in the order they were made (a failure ends the run; what follows it
    is ``deferred``: released without an attempt, due when the failed one retries).
    """
    if not attempted and not deferred:
        return
    window = timedelta(hours=settings.max_retry_hours)
    retry_at = now
    if attempted:  # an empty list would be one row of nothing, refused, failing the whole pass's results
        session.execute(WebhookAttempt.__table__.insert(), [
            {"delivery_id": a.delivery.id, "endpoint_id": a.delivery.endpoint_id, "attempted_at": a.at,
             "number": a.delivery.attempts + 1, "ok": a.outcome.ok, "status": a.outcome.status,
             "latency_ms": a.outcome.latency_ms, "error": a.outcome.error} for a in attempted])
    mine = (WebhookDelivery.claimed_by == worker_id, WebhookDelivery.state == PENDING)
    delivered = [{"b_id": a.delivery.id, "b_at": a.at, "b_status": a.outcome.status,
                  "b_latency": a.outcome.latency_ms, "b_worker": worker_id} for a in attempted if a.outcome.ok]
    if delivered:  # the common case, in one statement for the whole run
        session.execute(_SET_DELIVERED, delivered)
    for item in attempted:
        delivery, outcome = item.delivery, item.outcome
        if outcome.ok:
            continue
        last = {"attempts": WebhookDelivery.attempts + 1, "last_attempt_at": item.at, "last_status": outcome.status,
                "last_latency_ms": outcome.latency_ms, "last_error": outcome.error, "claimed_by": None,
                "claim_expires_at": None}
        give_up_at = delivery.retry_from + window
        retry_at = min(item.at + backoff(max(delivery.attempts + 1, delivery.endpoint_failures + 1), settings, rng),
                       give_up_at)
        values = {**last, "state": FAILED} if item.at >= give_up_at else {**last, "next_attempt_at": retry_at}
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id, *mine).values(**values)
                        .execution_options(synchronize_session=False))
    if deferred:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_([d.id for d in deferred]), *mine)
                        .values(claimed_by=None, claim_expires_at=None, next_attempt_at=retry_at)
                        .execution_options(synchronize_session=False))
    if attempted:
        _endpoint_health(session, attempted, now, window)


def _endpoint_health(session: Session, attempted: list[Attempted], now: datetime, window: timedelta) -> None:
    endpoint_id = attempted[0].delivery.endpoint_id
    endpoint = WebhookEndpoint
    if attempted[-1].outcome.ok:
        # Only when it was failing: the endpoint row is not rewritten on every success.
        session.execute(update(endpoint).where(endpoint.id == endpoint_id, or_(
            endpoint.failing_since.is_not(None), endpoint.consecutive_failures != 0))
            .values(failing_since=None, consecutive_failures=0).execution_options(synchronize_session=False))
        return
    failed = attempted[-1]
    session.execute(update(endpoint).where(endpoint.id == endpoint_id)
                    .values(consecutive_failures=endpoint.consecutive_failures + 1,
                            failing_since=func.coalesce(endpoint.failing_since, failed.at))
                    .execution_options(synchronize_session=False))
    reason = (f"disabled automatically: every delivery failed for {window.total_seconds() / 3600:g} hours; "
              f"last error: {failed.outcome.error}")[:500]
    disabled = session.execute(
        update(endpoint).where(endpoint.id == endpoint_id, endpoint.state == ACTIVE,
                               endpoint.failing_since <= failed.at - window)
        .values(state=DISABLED, disabled_at=now, disabled_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if disabled:
        audit.record(session, now, audit.AUTO, "webhook_disable", reason=reason[:200],
                     details={"endpoint_id": endpoint_id})
        log.warning("webhook endpoint %s disabled after failing for %s", endpoint_id, window)


# --- history and redelivery ------------------------------------------------------------

def list_deliveries(session: Session, endpoint_id: int, *, state: str | None, limit: int,
                    before_id: int | None) -> list[WebhookDelivery]:
    get_endpoint(session, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id) \
        .order_by(WebhookDelivery.id.desc()).limit(limit)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return list(session.scalars(query))


def list_attempts(session: Session, endpoint_id: int, *, limit: int, before_id: int | None) -> list[Any]:
    """The latest attempts, newest first: time, HTTP status, latency, error, and which event."""
    get_endpoint(session, endpoint_id)
    query = (select(WebhookAttempt.id, WebhookAttempt.delivery_id, WebhookAttempt.attempted_at,
                    WebhookAttempt.number, WebhookAttempt.ok, WebhookAttempt.status, WebhookAttempt.latency_ms,
                    WebhookAttempt.error, WebhookDelivery.event_id, WebhookDelivery.event_type)
             .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
             .where(WebhookAttempt.endpoint_id == endpoint_id).order_by(WebhookAttempt.id.desc()).limit(limit))
    if before_id is not None:
        query = query.where(WebhookAttempt.id < before_id)
    return list(session.execute(query))


def redeliver(session: Session, endpoint_id: int, delivery_id: int, actor: str, now: datetime) -> WebhookDelivery:
    """Send this delivery again now (delivered, failed or waiting), with a fresh retry window."""
    get_endpoint(session, endpoint_id)
    delivery = None
    if 0 < delivery_id < 2**63:
        delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                                WebhookDelivery.endpoint_id == endpoint_id)
                                  .with_for_update())
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id} for endpoint {endpoint_id}.",
                       details={"endpoint_id": endpoint_id, "delivery_id": delivery_id})
    signals.notify_after_commit(session, signals.deliveries_queued)
    return _restart(session, delivery, actor, now)


def redeliver_event(session: Session, endpoint_id: int, event_id: str, actor: str, now: datetime) -> WebhookDelivery:
    """Send one outbox event to this endpoint again, or for the first time (e.g. one that
    happened while the endpoint was disabled)."""
    endpoint = get_endpoint(session, endpoint_id)
    delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id,
                                                            WebhookDelivery.event_id == event_id).with_for_update())
    if delivery is not None:
        return _restart(session, delivery, actor, now)
    event = session.scalar(select(DomainEvent).where(DomainEvent.event_id == event_id))
    if event is None:
        # The endpoint exists (the path's resource); the event the body names does not, or no
        # longer does (pruned): a conflict with the current state, not a missing endpoint.
        raise Conflict(f"No event {event_id!r} (unknown, or pruned after [webhooks] keep_days).",
                       details={"event_id": event_id})
    document = payload(event.type, event.event_id, event.at, event.article_id, event.data)
    delivery = WebhookDelivery(**_new_delivery(endpoint.id, event.event_id, event.type, event.id, document, now))
    session.add(delivery)
    session.flush()
    audit.record(session, now, actor, "webhook_redeliver", details={"endpoint_id": endpoint_id,
                                                                    "event_id": event_id})
    signals.notify_after_commit(session, signals.deliveries_queued)
    return delivery


def _restart(session: Session, delivery: WebhookDelivery, actor: str, now: datetime) -> WebhookDelivery:
    delivery.state, delivery.next_attempt_at, delivery.retry_from = PENDING, now, now
    delivery.claimed_by, delivery.claim_expires_at, delivery.delivered_at = None, None, None
    audit.record(session, now, actor, "webhook_redeliver",
                 details={"endpoint_id": delivery.endpoint_id, "event_id": delivery.event_id})
    return delivery


# --- state for /metrics and /readyz ----------------------------------------------------

@dataclass(frozen=True)
class Stats:
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    endpoints: dict[str, int]
    failing_endpoints: int
    undispatched_events: int


def stats(session: Session) -> Stats:
    """Backlog and failures in one round trip of index-backed counts."""
    deliveries, endpoints = WebhookDelivery, WebhookEndpoint

    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    last = select(func.coalesce(func.max(WebhookFanout.last_event_id), 0)).scalar_subquery()
    row = session.execute(select(
        count(deliveries, deliveries.state == PENDING),
        select(func.min(deliveries.created_at)).where(deliveries.state == PENDING).scalar_subquery(),
        count(deliveries, deliveries.state == FAILED),
        count(endpoints, endpoints.state == ACTIVE),
        count(endpoints, endpoints.state == DISABLED),
        count(endpoints, endpoints.state == ACTIVE, endpoints.failing_since.is_not(None)),
        count(DomainEvent, DomainEvent.id > last),
    )).one()
    pending, oldest, failed, active, disabled, failing, undispatched = row
    return Stats(pending, failed, oldest, {ACTIVE: active, DISABLED: disabled}, failing, undispatched)


def prune(session: Session, before: datetime, limit: int = 1000) -> int:
    """Delete delivered and given-up deliveries created before ``before``, with their attempts.

    At most ``limit`` per call (oldest first), so each call is bounded; returns how many were
    deleted (call again while it returns ``limit``). Pending deliveries are never selected, so
    old ones that wait for a disabled endpoint cannot keep the rest from being pruned.
    """
    # author.erased carries the erased id so that the site can erase its side: it goes as
    # soon as it has been delivered (or given up), whatever keep_days says.
    old = or_(WebhookDelivery.created_at < before, WebhookDelivery.event_type == events.AUTHOR_ERASED)
    ids = list(session.scalars(select(WebhookDelivery.id)
                               .where(WebhookDelivery.state != PENDING, old)
                               .order_by(WebhookDelivery.id).limit(limit)))
    if not ids:
        return 0
    session.execute(WebhookAttempt.__table__.delete().where(WebhookAttempt.delivery_id.in_(ids)))
    session.execute(WebhookDelivery.__table__.delete().where(WebhookDelivery.id.in_(ids)))
    return len(ids)


def prune_outbox(session: Session, before: datetime, *, webhooks_enabled: bool, limit: int = 1000) -> int:
    """Delete outbox events published before ``before`` that the fan-out has read (all of
    them when webhooks are off: nothing will ever read them). Bounded like ``prune``."""
    read_up_to = None
    if webhooks_enabled:
        read_up_to = session.scalar(select(WebhookFanout.last_event_id).where(WebhookFanout.id == FANOUT_ROW)) or 0
    return events.prune(session, before, read_up_to=read_up_to, limit=limit)


def forget_author(session: Session, author_id: str, tombstone: str) -> int:
    """Erasure: outbox events and webhook payloads that name ``author_id`` (``author.banned``,
    an earlier ``author.erased``) name ``tombstone`` instead. Returns how many rows changed."""
    changed = 0
    for model, column in ((DomainEvent, DomainEvent.data["author_id"]),
                          (WebhookDelivery, WebhookDelivery.payload[("data", "author_id")])):
        rows = list(session.scalars(select(model).where(column.as_string() == author_id)))
        for row in rows:
            if model is DomainEvent:
                row.data = {**row.data, "author_id": tombstone}
            else:
                row.payload = {**row.payload, "data": {**row.payload["data"], "author_id": tombstone}}
        changed += len(rows)
    session.flush()
    return changed
