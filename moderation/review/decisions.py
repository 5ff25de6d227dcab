"""The one way a comment's status changes: a decision, by a moderator or by ``auto``.

Used by the review queue, the scoring pipeline's thresholds and intake's word lists, so that
every change of status is recorded the same way in the audit log.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from moderation.audit import service as audit
from moderation.comments.models import APPROVED, REJECTED, Comment
from moderation.events import service as events
from moderation.review.models import Report

ACTIONS = {"approve": APPROVED, "reject": REJECTED}


def apply_decision(session: Session, comment: Comment, action: str, actor: str, reason: str | None,
                   now: datetime, details: dict | None = None) -> str:
    """Set the status for ``action``, clear open reports, record it; returns the previous status.

    The caller has checked that the comment is in the status the decider saw.
    """
    previous = comment.status
    comment.status = ACTIONS[action]
    comment.decided_at, comment.decided_by = now, actor
    comment.awaiting_review = False
    if comment.open_reports:
        session.execute(update(Report).where(Report.comment_id == comment.id, Report.cleared_at.is_(None))
                        .values(cleared_at=now))
        comment.open_reports = 0
    audit.record(session, now, actor, action, article_id=comment.article_id, comment_id=comment.id,
                 author_id=comment.author_id, reason=reason, previous_status=previous,
                 new_status=comment.status, details=details)
    _announce(session, comment, previous, now)
    return previous


def _announce(session: Session, comment: Comment, previous: str, now: datetime) -> None:
    ids = {"comment_id": comment.id, "previous_status": previous, "status": comment.status}
    if comment.status == APPROVED:
        events.publish(session, events.COMMENT_APPROVED, now, article_id=comment.article_id, **ids)
    elif comment.status == REJECTED:
        events.publish(session, events.COMMENT_REJECTED, now, article_id=comment.article_id, **ids)
        if previous == APPROVED:
            events.publish(session, events.COMMENT_UNPUBLISHED, now, article_id=comment.article_id, **ids)
