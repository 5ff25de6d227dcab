"""Publishing domain events into the outbox (``domain_events``), inside the caller's transaction.

Every state change a site may want to hear about publishes one event here, in the same
transaction as the change. Delivery (webhooks) happens after commit, from the table.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from moderation import signals
from moderation.events.models import DomainEvent

COMMENT_APPROVED = "comment.approved"
COMMENT_REJECTED = "comment.rejected"
COMMENT_UNPUBLISHED = "comment.unpublished"
COMMENT_REPORTED = "comment.reported"
# A moderator featured an approved comment, or took the pick back (issue 22).
COMMENT_FEATURED = "comment.featured"
COMMENT_UNFEATURED = "comment.unfeatured"
THREAD_LOCKED = "thread.locked"
THREAD_REOPENED = "thread.reopened"
# Quiet hours begin or end: one event for the whole site (article_id null), not per thread.
THREAD_PAUSED = "thread.paused"
THREAD_RESUMED = "thread.resumed"
AUTHOR_BANNED = "author.banned"
AUTHOR_ERASED = "author.erased"
THREAD_CHANGED = "thread.changed"

EVENT_TYPES = (COMMENT_APPROVED, COMMENT_REJECTED, COMMENT_UNPUBLISHED, COMMENT_REPORTED, COMMENT_FEATURED,
               COMMENT_UNFEATURED, THREAD_LOCKED, THREAD_REOPENED, THREAD_PAUSED, THREAD_RESUMED, AUTHOR_BANNED,
               AUTHOR_ERASED, THREAD_CHANGED)

_INSERT = insert(DomainEvent.__table__)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(16)


def publish(session: Session, type_: str, at: datetime, *, article_id: str | None = None, **data: Any) -> None:
    """Record one event in the caller's transaction. ``data`` holds ids and states only."""
    publish_many(session, type_, at, [(article_id, data)])


def publish_many(session: Session, type_: str, at: datetime, items: list[tuple[str | None, dict[str, Any]]]) -> None:
    """Record one event per (article_id, data) item in one statement."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    if not items:
        return
    session.execute(_INSERT, [{"event_id": new_event_id(), "type": type_, "at": at, "article_id": article_id,
                               "data": data} for article_id, data in items])
    signals.notify_after_commit(session, signals.events_published)


def prune(session: Session, before: datetime, *, read_up_to: int | None, limit: int = 1000) -> int:
    """Delete at most ``limit`` events published before ``before``, oldest first; returns how
    many. ``read_up_to``: the highest event id every consumer has read (None: there is no
    consumer, every old event goes). An event not read yet is kept however old it is."""
    # author.erased names the erased person: it goes as soon as it has been read.
    oldest = select(DomainEvent.id).where(or_(DomainEvent.at < before, DomainEvent.type == AUTHOR_ERASED))
    if read_up_to is not None:
        oldest = oldest.where(DomainEvent.id <= read_up_to)
    ids = list(session.scalars(oldest.order_by(DomainEvent.id).limit(limit)))
    if ids:
        session.execute(delete(DomainEvent).where(DomainEvent.id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)
