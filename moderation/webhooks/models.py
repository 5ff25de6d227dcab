"""Webhook endpoints, their deliveries (one per endpoint and event) and the attempts made.

A delivery is created from the outbox (``domain_events``) by the fan-out, after commit, for
every active endpoint subscribed to the event's type; workers claim due deliveries with a
lease and record each attempt. ``webhook_fanout`` remembers how far the outbox was read.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

ACTIVE, DISABLED = "active", "disabled"
ENDPOINT_STATES = (ACTIVE, DISABLED)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_STATES = (PENDING, DELIVERED, FAILED)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200))
    # Event types this endpoint receives (a JSON list of names from events.service.EVENT_TYPES).
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # The Standard Webhooks signing secret ("whsec_" + base64). Kept as is: signing needs it.
    # Never logged, never returned after creation or rotation.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation, deliveries are signed with both secrets until this moment.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first failure since the last success; disabled after max_retry_hours of failures.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one endpoint: delivered at least once, retried until it succeeds or gives up."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhook_endpoints.id"))
    # The event's public id: the webhook-id header, the same on every attempt (receivers dedupe on it).
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    # The outbox row it came from (None for test events).
    event_seq: Mapped[int | None] = mapped_column(BigInteger)
    # The body sent: {"type", "timestamp", "data"}; ids and states only.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Start of the current retry window (creation, or a manual redelivery).
    retry_from: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker's lease while it sends (see worker.py); no row lock is held during HTTP.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        # The workers' claim: pending deliveries by due time.
        Index("ix_webhook_deliveries_due", "next_attempt_at",
              postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'")),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
        # Deliveries given up: few, counted for /metrics and /readyz.
        Index("ix_webhook_deliveries_failed", "endpoint_id",
              postgresql_where=text("state = 'failed'"), sqlite_where=text("state = 'failed'")),
    )


class WebhookAttempt(Base):
    """The history of attempts, for the admin API (time, HTTP status, latency, error)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhook_deliveries.id"))
    endpoint_id: Mapped[int] = mapped_column(BigId, ForeignKey("webhook_endpoints.id"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    number: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_webhook_attempts_endpoint", "endpoint_id", "id"),
                      Index("ix_webhook_attempts_delivery", "delivery_id"))


class WebhookFanout(Base):
    """How far the outbox has been read: one row (id 1).

    ``last_event_id`` is the highest outbox id fanned out. ``gaps`` lists ranges of lower ids
    not seen yet, [low, high, first seen (ISO)]: on PostgreSQL an id is taken before commit,
    so a transaction that started earlier may commit a lower id later. A gap is re-checked
    until it fills or is older than ``outbox_gap_seconds`` (then it was a rollback).
    """

    __tablename__ = "webhook_fanout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    gaps: Mapped[list[list[Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
