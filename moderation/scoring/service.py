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

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from moderation.comments.models import Comment
from moderation.config import ScoringSettings
from moderation.review import state
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
    # Whether the model that scored it covers its language; when not (or unknown), it is
    # never auto-approved.
    covered: bool = False

def store_scores(session: Session, worker_id: str, model: str, results: list[Scored], settings: ScoringSettings,
                 now: datetime) -> int:
    """Write the scores of comments this worker still holds; apply the automatic thresholds.

    Only the lease holder writes, and only once (``scored_at IS NULL``). Two executemany
    statements for the whole batch, so that the write lock (which intake needs too) is held
    for a moment only.
    """
    if not results:
        return 0
    by_id = {result.id: result for result in results}
    held = list(session.scalars(
        select(Comment.id).where(Comment.id.in_(list(by_id)), Comment.claimed_by == worker_id,
                                 Comment.scored_at.is_(None)).order_by(Comment.id).with_for_update()))
    if not held:
        return 0
    session.execute(insert(CommentScore.__table__), [
        {"comment_id": comment_id, "model": by_id[comment_id].model or model, "scores": by_id[comment_id].scores,
         "covered": by_id[comment_id].covered, "scored_at": now}
        for comment_id in held])
    state.record_scores(
        session,
        [state.ScoreResult(comment_id, by_id[comment_id].scores, by_id[comment_id].language,
                           by_id[comment_id].covered) for comment_id in held],
        state.Thresholds(settings.auto_reject_above, settings.auto_approve_below), now)
    return len(held)
