from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime


class AuditEntry(Base):
    """One action on record. Append-only: database triggers refuse UPDATE and DELETE, with one
    exception: erasure may set ``reason`` (free text) to NULL while an AuditRedaction row of
    its own transaction exists (see audit/service.py redact_reasons)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))  # an API key's name, or "auto"
    action: Mapped[str] = mapped_column(String(32))
    article_id: Mapped[str | None] = mapped_column(String(128))
    comment_id: Mapped[int | None] = mapped_column(BigId)
    author_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    previous_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_log_article", "article_id", "id"),
        Index("ix_audit_log_comment", "comment_id", "id"),
        Index("ix_audit_log_actor", "actor", "id"),
        Index("ix_audit_log_action", "action", "id"),
    )


class AuditRedaction(Base):
    """A marker that exists only inside an erasure's transaction: while a row is here, the
    audit log's trigger lets that transaction blank free-text reasons, and nothing else."""

    __tablename__ = "audit_redactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
