from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

REPORT_REASONS = ("spam", "abuse", "off_topic", "other")


class Report(Base):
    """A reader's report of a comment; open until the next moderator decision clears it."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    comment_id: Mapped[int] = mapped_column(BigId, ForeignKey("comments.id"), index=True)
    # NULL once the reader who filed it was erased (the report keeps its weight).
    reporter_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("comment_id", "reporter_id"),)


class BannedAuthor(Base):
    __tablename__ = "banned_authors"

    author_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    banned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    banned_by: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)


class AuthorNote(Base):
    """A moderator's note about an author ("warned twice on 3 March"), shown on their cards.
    Deleted when the author is erased; each note is also an audit entry."""

    __tablename__ = "author_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    author_id: Mapped[str] = mapped_column(String(128), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
