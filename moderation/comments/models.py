from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.db import Base, BigId, UTCDateTime

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(128), ForeignKey("articles.id"))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("comments.id"))
    author_id: Mapped[str] = mapped_column(String(128))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    # Idempotency-Key header of the request that stored it, scoped to the API key that sent
    # it (two frontends may use the same key string), and a digest of that request, so that a
    # key reused for another request is refused (see comments/service.py).
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    idempotency_owner: Mapped[int | None] = mapped_column(BigId)
    request_digest: Mapped[str | None] = mapped_column(String(64))
    # 1 when stored, plus one per change of review state, score or erasure (review/state.py):
    # a decision can require the version the moderator saw.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Waiting for a moderator: pending, or approved and reported by readers since the last decision.
    awaiting_review: Mapped[bool] = mapped_column(Boolean, default=True)
    open_reports: Mapped[int] = mapped_column(Integer, default=0)
    # Suspect words found in the body (JSON list as text), shown in the review queue.
    flagged_words: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    # The model's "toxicity" score, copied from the scores for filtering and ordering.
    toxicity: Mapped[float | None] = mapped_column(Float)
    # Keyset pagination needs a total order without NULLs: toxicity, or -1 while unscored.
    sort_toxicity: Mapped[float] = mapped_column(Float, default=-1.0)
    # The same for the house model's score (issue 23): house, or -1 while it gave none.
    sort_house: Mapped[float] = mapped_column(Float, default=-1.0, server_default=text("-1"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A scoring worker's lease on this comment (see scoring/worker.py).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # issue 11: scoring failures (columns added in migrations/versions/0004_review_state.py).
    # Attempts at scoring this comment alone that raised, the last error's class (never its
    # message, which may quote the body), and when the worker gave up: it then stays unscored
    # in the queue until an admin retries it (moderation/scoring/service.py).
    score_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    score_error: Mapped[str | None] = mapped_column(String(200))
    score_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the stored body, to refuse the same comment posted twice in a row.
    body_digest: Mapped[str | None] = mapped_column(String(64))
    # The reader's address as relayed by the frontend (for rate limits and abuse reports).
    reader_address: Mapped[str | None] = mapped_column(String(45))
    # When a moderator featured this approved comment (issue 22); NULL when not featured.
    # Only review/state.py sets it; it is cleared when the comment leaves the public thread
    # (rejected, erased), so a featured comment is always an approved, visible one.
    featured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("idempotency_owner", "idempotency_key"),
        # Public thread listing and the approved count.
        Index("ix_comments_thread", "article_id", "status", "created_at", "id"),
        Index("ix_comments_author_status", "author_id", "status"),
        Index("ix_comments_recent_by_author", "author_id", "article_id", "created_at"),
        # The review queue: only waiting comments are indexed, one index per order.
        Index("ix_comments_queue_time", "created_at", "id",
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        Index("ix_comments_queue_toxicity", "sort_toxicity", "created_at", "id",
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        Index("ix_comments_queue_house", "sort_house", "created_at", "id",
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        Index("ix_comments_queue_article", "article_id", "created_at", "id",
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        # The queue's author filter (issue 22): by id, or by display name in any case; waiting
        # comments only, so both stay as small as the queue.
        Index("ix_comments_queue_author", "author_id",
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        Index("ix_comments_queue_author_name", text("lower(author_name)"),
              sqlite_where=text("awaiting_review = 1"), postgresql_where=text("awaiting_review")),
        # The console's Approved and Rejected tabs: recent decisions, newest first (intake's
        # inserts, undecided, stay out of it).
        Index("ix_comments_recent_decisions", "status", "decided_at", "id",
              sqlite_where=text("decided_at IS NOT NULL"), postgresql_where=text("decided_at IS NOT NULL")),
        # The Reported tab: waiting comments with open reports, which are few.
        Index("ix_comments_queue_reported", "created_at", "id",
              sqlite_where=text("awaiting_review = 1 AND open_reports > 0"),
              postgresql_where=text("awaiting_review AND open_reports > 0")),
        # The scoring backlog.
        Index("ix_comments_unscored", "id",
              sqlite_where=text("scored_at IS NULL"), postgresql_where=text("scored_at IS NULL")),
    )
