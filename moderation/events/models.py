from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime


class DomainEvent(Base):
    """The transactional outbox: one row per announced change, written in the transaction
    that made the change (so no event exists for a change that rolled back, and no committed
    change lacks its event). Consumers (webhook delivery) read it after commit, in id order.

    Never holds a comment body or an author name: only ids and states.
    """

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # A stable public id (the Standard Webhooks "webhook-id" is derived from it).
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    article_id: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_domain_events_type", "type", "id"),)
