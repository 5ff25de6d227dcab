from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, UTCDateTime

# What the site may use as an article id (its slug or CMS id), checked by the API and the services.
ARTICLE_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
ARTICLE_ID_RULE = "1 to 128 characters of A-Z a-z 0-9 . _ : -"


class Article(Base):
    """An article whose comment thread we host. Its deadline rule lives in closing/policy.py."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Per-article window in hours; NULL means the site window from config applies.
    close_after_hours: Mapped[float | None] = mapped_column(Float)
    # When the current window started: published_at, or the moment a moderator reopened it.
    window_opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The deadline when it does not depend on config (a per-article window); NULL otherwise,
    # so that a change of the site window moves every such thread's deadline at once.
    fixed_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_reason: Mapped[str | None] = mapped_column(String(16))  # "auto" | "manual"
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # false: the thread never pauses in [closing] quiet hours (a live blog with a night desk).
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped by every change readers can see (caching/service.py): the public ETags' source.
    thread_version: Mapped[int] = mapped_column(BigInteger, default=1, server_default=text("1"))
    # Approved comments not erased: the public count, maintained with thread_version.
    approved_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    __table_args__ = (
        # The closing sweep reads only open threads, so its cost follows the threads due,
        # not the size of the archive: one partial index per kind of deadline.
        Index(
            "ix_articles_open_site_window",
            "window_opened_at",
            sqlite_where=text("locked_at IS NULL AND fixed_closes_at IS NULL"),
            postgresql_where=text("locked_at IS NULL AND fixed_closes_at IS NULL"),
        ),
        Index(
            "ix_articles_open_fixed_deadline",
            "fixed_closes_at",
            sqlite_where=text("locked_at IS NULL AND fixed_closes_at IS NOT NULL"),
            postgresql_where=text("locked_at IS NULL AND fixed_closes_at IS NOT NULL"),
        ),
    )
