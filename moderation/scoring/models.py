from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime


class CommentScore(Base):
    """Every class score the model produced for one comment, with the model that produced it."""

    __tablename__ = "comment_scores"

    comment_id: Mapped[int] = mapped_column(BigId, ForeignKey("comments.id"), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    # Every class (scoring/classes.py); null where the model does not produce it.
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False: no configured model covers the comment's language (null: scored before issue 16).
    covered: Mapped[bool | None] = mapped_column(Boolean)
    # The house model (issue 23) whose score is ``scores["house"]``, e.g. "house-v3"; null
    # when no house model was current.
    house_model: Mapped[str | None] = mapped_column(String(32))
