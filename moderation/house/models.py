from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

CANDIDATE, CURRENT, RETIRED = "candidate", "current", "retired"
STATES = (CANDIDATE, CURRENT, RETIRED)


class HouseModelVersion(Base):
    """One trained house model (house/model.py) with what it learned from and how it did.

    At most one row is ``current``: the one the scorer uses. A trained model that did not beat
    the current one stays a ``candidate`` (an admin may still promote it); a model that was
    current and was replaced is ``retired`` (rollback brings back the latest of those).
    ``model`` holds only numbers (hashed buckets and weights, no words: see model.py).
    """

    __tablename__ = "house_models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    # {"labels": n, "rejections": n, "by_language": {"de": {"0": n, "1": n}, ...}}
    trained_on: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The held-out slice: {"n", "roc_auc", "average_precision", "f1_macro", "by_language": {...},
    # "current": the same for the model that was current when it was trained, or null}.
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)
    threshold: Mapped[float] = mapped_column(Float)
    model: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index("ix_house_models_state", "state", "promoted_at"),)
