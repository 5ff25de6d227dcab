"""The scoring pipeline's database side: claim unscored comments, store their scores.

A claim is a lease (``claimed_by``, ``claim_expires_at``) committed before scoring starts,
so no row lock is held while the model runs (a moderator's decision never waits on it) and
a worker that dies loses its batch only until the lease expires. On PostgreSQL the claim
uses FOR UPDATE SKIP LOCKED, so workers on several machines never claim the same comment;
on SQLite the claim runs under the write lock. Scores are written only by the lease holder
and only once (``scored_at IS NULL``): no comment is scored twice, none is skipped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from moderation.audit import service as audit
from moderation.comments.models import PENDING, Comment
from moderation.config import ScoringSettings
from moderation.review.decisions import apply_decision
from moderation.scoring.models import CommentScore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: int
    body: str


def claim_batch(session: Session, worker_id: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    query = (
        select(Comment.id, Comment.body)
        .where(Comment.scored_at.is_(None),
               or_(Comment.claim_expires_at.is_(None), Comment.claim_expires_at < now))
        .order_by(Comment.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(query).all()
    if not rows:
        return []
    session.execute(update(Comment).where(Comment.id.in_([row.id for row in rows]))
                    .values(claimed_by=worker_id, claim_expires_at=now + lease)
                    .execution_options(synchronize_session=False))
    return [Claimed(row.id, row.body) for row in rows]


@dataclass(frozen=True)
class Scored:
    id: int
    scores: dict[str, float | None]
    language: str | None
    # The model that scored this comment ([scoring.models]); None: the batch's model.
    model: str | None = None
    # False when no model covers the comment's language: never auto-approved.
    covered: bool = True


_SET_SCORED = (
    update(Comment.__table__)
    .where(Comment.__table__.c.id == bindparam("comment_id"))
    .values(toxicity=bindparam("toxicity"), sort_toxicity=bindparam("sort_toxicity"),
            language=bindparam("language"), scored_at=bindparam("scored_at"), claimed_by=None,
            claim_expires_at=None)
)


def store_scores(session: Session, worker_id: str, model: str, results: list[Scored], settings: ScoringSettings,
                 now: datetime) -> int:
    """Write the scores of comments this worker still holds; apply the automatic thresholds.

    Two executemany statements for the whole batch, so that the write lock (which intake
    needs too) is held for a moment only.
    """
    if not results:
        return 0
    by_id = {result.id: result for result in results}
    held = list(session.scalars(
        select(Comment.id).where(Comment.id.in_(list(by_id)), Comment.claimed_by == worker_id,
                                 Comment.scored_at.is_(None)).with_for_update()))
    if not held:
        return 0
    session.execute(insert(CommentScore.__table__), [
        {"comment_id": comment_id, "model": by_id[comment_id].model or model, "scores": by_id[comment_id].scores,
         "covered": by_id[comment_id].covered, "scored_at": now}
        for comment_id in held])
    rows = []
    for comment_id in held:
        toxicity = by_id[comment_id].scores.get("toxicity")
        rows.append({"comment_id": comment_id, "toxicity": toxicity,
                     "sort_toxicity": toxicity if toxicity is not None else -1.0,
                     "language": by_id[comment_id].language, "scored_at": now})
    session.execute(_SET_SCORED, rows)
    if settings.auto_reject_above or settings.auto_approve_below:
        for comment in session.scalars(select(Comment).where(Comment.id.in_(held))):
            _automatic_decision(session, comment, by_id[comment.id].scores, settings, now,
                                covered=by_id[comment.id].covered)
    return len(held)


def _automatic_decision(session: Session, comment: Comment, scores: dict[str, float | None],
                        settings: ScoringSettings, now: datetime, covered: bool = True) -> None:
    """Thresholds from config, off by default. Only a comment nobody decided yet is touched.

    Issue 16: a class the model does not produce is None and meets no threshold; a comment
    whose language no model covers (``covered`` False) is never approved automatically.
    """
    if comment.status != PENDING:
        return
    over = {label: scores[label] for label, threshold in settings.auto_reject_above.items()
            if scores.get(label) is not None and scores[label] >= threshold}
    if over:
        reason = ", ".join(f"{label} {value:.3f} >= {settings.auto_reject_above[label]}"
                           for label, value in over.items())
        apply_decision(session, comment, "reject", audit.AUTO, reason, now, details={"scores": scores})
        return
    below = settings.auto_approve_below
    if below and covered and not comment.flagged_words and all(scores.get(label) is not None
                                                               and scores[label] < threshold
                                                               for label, threshold in below.items()):
        reason = ", ".join(f"{label} {scores[label]:.3f} < {threshold}" for label, threshold in below.items())
        apply_decision(session, comment, "approve", audit.AUTO, reason, now, details={"scores": scores})
