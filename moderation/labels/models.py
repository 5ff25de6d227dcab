from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

SUGGESTSCORE = "suggestscore"
# Rows of a labelled CSV file (labels/importer.py); key_name is the --source they came from.
IMPORT = "import"


class ModelLabel(Base):
    """A label from outside the queue: Perspective's ``comments:suggestscore``, or an imported file.

    Moderators' own decisions are labels too; they are read from the comments themselves
    (labels/service.py), so they are not copied here. A suggestscore never stores the text:
    only the scores the model gave it, the model, the language and the label (1: rejected).
    An imported row is the opposite: the text and its label, without scores (importer.py).
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
    # Imported rows only: the labelled text, which a model can learn from.
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("key_name", "client_token"),
        Index("ix_model_labels_created", "created_at"),
    )
