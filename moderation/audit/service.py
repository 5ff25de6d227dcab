"""Writing and reading the audit log: one entry per action, never changed afterwards."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.audit.models import AuditEntry

AUTO = "auto"  # the actor of every automatic action


def record(session: Session, at: datetime, actor: str, action: str, *, article_id: str | None = None,
           comment_id: int | None = None, author_id: str | None = None, reason: str | None = None,
           previous_status: str | None = None, new_status: str | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    entry = AuditEntry(at=at, actor=actor, action=action, article_id=article_id, comment_id=comment_id,
                       author_id=author_id, reason=reason, previous_status=previous_status,
                       new_status=new_status, details=details)
    session.add(entry)
    return entry


def list_entries(session: Session, *, limit: int, before_id: int | None = None, article_id: str | None = None,
                 comment_id: int | None = None, actor: str | None = None,
                 action: str | None = None, author_id: str | None = None) -> list[AuditEntry]:
    """Newest first; ``before_id`` continues a page (keyset on the append-only id)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if article_id is not None:
        query = query.where(AuditEntry.article_id == article_id)
    if comment_id is not None:
        query = query.where(AuditEntry.comment_id == comment_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if author_id is not None:
        query = query.where(AuditEntry.author_id == author_id)
    return list(session.scalars(query))
