"""Writing and reading the audit log: one entry per action, never changed afterwards."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from moderation.audit.models import AuditEntry, AuditRedaction

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


def last_action(session: Session, comment_id: int) -> dict[str, Any] | None:
    """Who last acted on a comment, and how (for conflict answers)."""
    entry = session.scalar(select(AuditEntry).where(AuditEntry.comment_id == comment_id)
                           .order_by(AuditEntry.id.desc()).limit(1))
    if entry is None:
        return None
    return {"actor": entry.actor, "action": entry.action, "at": entry.at.isoformat()}


def redact_author(session: Session, *, author_id: str, tombstone: str, comment_ids: Any) -> int:
    """Erasure: blank the free-text reasons of every entry about the author or their comments
    (``comment_ids``: ids or a SELECT of them), and replace the author's id with ``tombstone``.
    Returns how many reasons were blanked.

    The only change the audit log allows: the trigger permits it while this transaction holds
    an ``audit_redactions`` row, only for ``reason`` set to NULL and ``author_id`` set to a
    tombstone; the marker is removed before the transaction ends, so no other transaction
    ever sees it.
    """
    concerned = or_(AuditEntry.author_id == author_id, AuditEntry.comment_id.in_(comment_ids))
    marker = session.execute(insert(AuditRedaction).values().returning(AuditRedaction.id)).scalar_one()
    try:
        reasons = session.execute(update(AuditEntry).where(concerned, AuditEntry.reason.is_not(None))
                                  .values(reason=None).execution_options(synchronize_session=False)).rowcount
        session.execute(update(AuditEntry).where(AuditEntry.author_id == author_id)
                        .values(author_id=tombstone).execution_options(synchronize_session=False))
        return reasons
    finally:
        session.execute(delete(AuditRedaction).where(AuditRedaction.id == marker))
