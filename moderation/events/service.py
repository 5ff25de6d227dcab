"""Publishing domain events into the outbox (``domain_events``), inside the caller's transaction.

Every state change a site may want to hear about publishes one event here, in the same
transaction as the change. Delivery (webhooks) happens after commit, from the table.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from moderation.db import after_commit
from moderation.events.models import DomainEvent

COMMENT_APPROVED = "comment.approved"
COMMENT_REJECTED = "comment.rejected"
COMMENT_UNPUBLISHED = "comment.unpublished"
COMMENT_REPORTED = "comment.reported"
THREAD_LOCKED = "thread.locked"
THREAD_REOPENED = "thread.reopened"
AUTHOR_BANNED = "author.banned"
AUTHOR_ERASED = "author.erased"

EVENT_TYPES = (COMMENT_APPROVED, COMMENT_REJECTED, COMMENT_UNPUBLISHED, COMMENT_REPORTED, THREAD_LOCKED,
               THREAD_REOPENED, AUTHOR_BANNED, AUTHOR_ERASED)

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
    if _commit_listeners and _notify not in session.info.get("after_commit", ()):
        after_commit(session, _notify)


# Woken once after each commit that published events (the webhook delivery workers of this
# process), so that delivery starts at once instead of at the next poll.
_commit_listeners: list[Callable[[], None]] = []


def add_commit_listener(callback: Callable[[], None]) -> None:
    """Call ``callback`` (quick, non-blocking) after every commit that published an event."""
    _commit_listeners.append(callback)


def remove_commit_listener(callback: Callable[[], None]) -> None:
    if callback in _commit_listeners:
        _commit_listeners.remove(callback)


def _notify() -> None:
    for callback in list(_commit_listeners):
        callback()
