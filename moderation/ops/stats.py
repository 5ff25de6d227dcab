"""Database-wide figures for /metrics and /readyz, read at most every ``refresh_seconds``.

A scrape or a readiness probe must not run COUNTs over the comments table each time: a
monitoring system scraping every second, or many load balancers probing, would add up to a
steady load on the database. The figures are the same whichever process answers, so each
process keeps the last reading and refreshes it when it is older than the setting.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select

from moderation.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    read_at: datetime
    waiting: int  # comments waiting for a moderator
    unscored: int  # the scorer's backlog (comments it will still score)
    oldest_unscored_at: datetime | None
    scoring_failed: int  # given up after [scoring] max_attempts: wait for an admin's retry
    locked: dict[str, int]  # locked threads by lock reason
    oldest_waiting_at: datetime | None = None  # the review queue's oldest comment

    def oldest_waiting_age_seconds(self, now: datetime) -> float:
        if self.oldest_waiting_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_waiting_at).total_seconds())

    def oldest_unscored_age_seconds(self, now: datetime) -> float:
        if self.oldest_unscored_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_unscored_at).total_seconds())


def read_snapshot(db: Database, now: datetime) -> Snapshot:
    """One reading; every query is served by a partial index (queue, unscored backlog)."""
    from moderation.articles.models import Article
    from moderation.comments.models import Comment

    backlog = (Comment.scored_at.is_(None), Comment.score_failed_at.is_(None))
    with db.transaction(write=False) as session:
        waiting = session.scalar(select(func.count()).select_from(Comment)
                                 .where(Comment.awaiting_review == True)) or 0  # noqa: E712
        # The first row of the queue's partial index on (created_at, id).
        oldest_waiting = session.scalar(select(func.min(Comment.created_at))
                                        .where(Comment.awaiting_review == True))  # noqa: E712
        unscored = session.scalar(select(func.count()).select_from(Comment).where(*backlog)) or 0
        # The lowest unscored id is the oldest comment of the backlog (ids grow with time).
        oldest = session.scalar(select(Comment.created_at).where(*backlog).order_by(Comment.id).limit(1))
        failed = session.scalar(select(func.count()).select_from(Comment).where(
            Comment.scored_at.is_(None), Comment.score_failed_at.is_not(None))) or 0
        locked = {reason or "unknown": count for reason, count in session.execute(
            select(Article.lock_reason, func.count()).where(Article.locked_at.is_not(None))
            .group_by(Article.lock_reason))}
    return Snapshot(read_at=now, waiting=waiting, unscored=unscored, oldest_unscored_at=oldest,
                    scoring_failed=failed, locked=locked, oldest_waiting_at=oldest_waiting)


class DatabaseStats:
    """The latest Snapshot, refreshed when older than ``refresh_seconds`` (of the runtime clock).

    When the database cannot be read, ``get`` returns None and does not try again before the
    refresh interval has passed either, so an outage is not made worse by scrapes.
    """

    def __init__(self, db: Database, now: Callable[[], datetime], refresh_seconds: float) -> None:
        self.db = db
        self.now = now
        self.refresh = timedelta(seconds=refresh_seconds)
        self._snapshot: Snapshot | None = None
        self._tried_at: datetime | None = None
        self._lock = threading.Lock()
        self.readings = 0  # how many times the database was read (tests and curiosity)

    def _fresh(self, now: datetime) -> bool:
        # A clock set back (tests, a corrected system clock) counts as stale.
        return self._tried_at is not None and timedelta(0) <= now - self._tried_at < self.refresh

    def get(self) -> Snapshot | None:
        now = self.now()
        if self._fresh(now):
            return self._snapshot
        with self._lock:  # one reading at a time; the others take its result
            if self._fresh(self.now()):
                return self._snapshot
            self._tried_at = now
            self.readings += 1
            try:
                self._snapshot = read_snapshot(self.db, now)
            except Exception as exc:  # the database may be down: callers answer without these figures
                log.warning("database figures unavailable: %s", type(exc).__name__)
                self._snapshot = None
            return self._snapshot
