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

from moderation import signals
from moderation.audit import service as audit
from moderation.comments.models import Comment
from moderation.comments.service import get_comment
from moderation.config import ScoringSettings
from moderation.errors import Conflict
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
        .where(Comment.scored_at.is_(None), Comment.score_failed_at.is_(None),
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
    # The house model whose score is scores["house"] (issue 23), e.g. "house-v3".
    house_model: str | None = None


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
         "covered": by_id[comment_id].covered, "house_model": by_id[comment_id].house_model, "scored_at": now}
        for comment_id in held])
    state.record_scores(
        session,
        [state.ScoreResult(comment_id, by_id[comment_id].scores, by_id[comment_id].language,
                           by_id[comment_id].covered) for comment_id in held],
        state.Thresholds(settings.auto_reject_above, settings.auto_approve_below), now)
    return len(held)


# --- comments that make the model fail ----------------------------------------------------

def record_failure(session: Session, worker_id: str, comment_id: int, error: str, now: datetime,
                   settings: ScoringSettings) -> bool:
    """Count one failed attempt at scoring this comment alone; True when the worker gives up.

    Below ``max_attempts`` the comment is retried after a back-off (its lease is extended, so
    no worker claims it sooner); at ``max_attempts`` it is marked failed to score and is left
    out of claims until an admin retries it. Only the lease holder records anything.
    """
    comment = session.scalar(select(Comment).where(Comment.id == comment_id, Comment.claimed_by == worker_id,
                                                   Comment.scored_at.is_(None)).with_for_update())
    if comment is None:
        return False
    comment.score_attempts += 1
    comment.score_error = error[:200]
    if comment.score_attempts >= settings.max_attempts:
        comment.score_failed_at = now
        comment.claimed_by = comment.claim_expires_at = None
        return True
    delay = min(settings.retry_initial_seconds * 2 ** (comment.score_attempts - 1), settings.retry_max_seconds)
    comment.claim_expires_at = now + timedelta(seconds=delay)
    return False


def release(session: Session, worker_id: str, comment_ids: list[int]) -> None:
    """Give claimed comments back to the backlog at once (the model failed, not they)."""
    if comment_ids:
        session.execute(update(Comment).where(Comment.id.in_(comment_ids), Comment.claimed_by == worker_id,
                                              Comment.scored_at.is_(None))
                        .values(claimed_by=None, claim_expires_at=None)
                        .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class ScoringState:
    """What the queue and the API show of a comment's scoring."""

    state: str  # "scored", "waiting" (in the backlog) or "failed" (given up: an admin may retry)
    attempts: int
    error: str | None
    failed_at: datetime | None


def scoring_state(comment: Comment) -> ScoringState:
    if comment.scored_at is not None:
        state = "scored"
    elif comment.score_failed_at is not None:
        state = "failed"
    else:
        state = "waiting"
    return ScoringState(state=state, attempts=comment.score_attempts or 0, error=comment.score_error,
                        failed_at=comment.score_failed_at)


def retry(session: Session, comment_id: int, actor: str, now: datetime) -> Comment:
    """An admin puts a comment back into the scoring backlog with a fresh count of attempts."""
    comment = get_comment(session, comment_id, for_update=True)
    if comment.scored_at is not None:
        raise Conflict("The comment is already scored.", details={"comment_id": comment_id})
    previous = scoring_state(comment)
    comment.score_attempts = 0
    comment.score_error = None
    comment.score_failed_at = None
    comment.claimed_by = comment.claim_expires_at = None
    audit.record(session, now, actor, "retry_scoring", article_id=comment.article_id, comment_id=comment.id,
                 details={"attempts": previous.attempts, "error": previous.error, "was": previous.state})
    signals.notify_after_commit(session, signals.comment_stored)  # the scorer has work again
    return comment


def failed_comments(session: Session, limit: int = 100, after_id: int = 0) -> list[Comment]:
    """Comments the scorer gave up on, oldest first."""
    return list(session.scalars(select(Comment).where(Comment.scored_at.is_(None), Comment.score_failed_at.is_not(None),
                                                      Comment.id > after_id).order_by(Comment.id).limit(limit)))
