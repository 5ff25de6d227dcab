from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

SUGGESTSCORE = "suggestscore"


class ModelLabel(Base):
    """A label sent from outside the queue (Perspective's ``comments:suggestscore``).

    Moderators' own decisions are labels too; they are read from the comments themselves
    (labels/service.py), so they are not copied here. The text is never stored: only the
    scores the model gave it, the model, the language and the label (1: rejected).
    """

    __tablename__ = "model_labels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))
    # The API key that sent it, and the client's token: a later label with the same token
    # (Coral sends "comment:<id>" on every decision) replaces the earlier one.
    key_name: Mapped[str] = mapped_column(String(128))
    client_token: Mapped[str | None] = mapped_column(String(256))
    community_id: Mapped[str | None] = mapped_column(String(256))
    model: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)
    label: Mapped[int] = mapped_column(Integer)
    suggested: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("key_name", "client_token"),
        Index("ix_model_labels_created", "created_at"),
    )
