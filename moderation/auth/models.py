from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

# analyzer: only the Perspective-compatible /v1alpha1/comments:analyze and :suggestscore (issue 16).
ROLES = ("frontend", "moderator", "admin", "analyzer")


class ApiKey(Base):
    """An API key. Only the SHA-256 of the key is stored; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
