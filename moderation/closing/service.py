"""Locking threads: the automatic sweep and the moderators' manual lock and unlock."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from moderation import signals
from moderation.articles.models import Article
from moderation.articles.service import get_article, upsert_article
from moderation.audit import service as audit
from moderation.caching import service as caching
from moderation.clock import utc_iso
from moderation.closing import policy as rules
from moderation.closing.policy import ClosingPolicy
from moderation.events import service as events

AUTO, MANUAL = "auto", "manual"


def _due(policy: ClosingPolicy, now: datetime):
    """Open threads whose deadline has passed, in terms each partial index can answer."""
    on_site_window = and_(Article.locked_at.is_(None), Article.fixed_closes_at.is_(None),
                          Article.window_opened_at <= policy.site_window_cutoff(now))
    on_own_window = and_(Article.locked_at.is_(None), Article.fixed_closes_at.is_not(None),
                         Article.fixed_closes_at <= now)
    return on_site_window, on_own_window


def lock_due_threads(session: Session, policy: ClosingPolicy, now: datetime, batch_size: int = 1000) -> list[str]:
    """Lock every thread whose deadline is at or before ``now``; returns the ids locked here.

    Idempotent and safe to run from several processes at once: the UPDATE only touches rows
    still unlocked, and each process writes audit entries only for the rows its own UPDATE
    changed (RETURNING), so every thread is locked, and recorded, exactly once.
    The cost follows the number of threads due: each query is a range scan of a partial
    index over open threads only.
    """
    locked: list[str] = []
    for condition in _due(policy, now):
        while True:
            ids = list(session.scalars(select(Article.id).where(condition).limit(batch_size)))
            if not ids:
                break
            # The UPDATE re-checks the deadline itself: between the SELECT and here a moderator
            # may have reopened the thread, or a PUT moved its publication later. On PostgreSQL
            # an UPDATE that waited for such a change re-evaluates its WHERE on the new row, so
            # a reopened thread is never locked before its new deadline.
            changed = list(session.scalars(
                update(Article)
                .where(Article.id.in_(ids), condition)
                .values(locked_at=now, lock_reason=AUTO, updated_at=now)
                .returning(Article.id)
                .execution_options(synchronize_session=False)
            ))
            for article_id in changed:
                audit.record(session, now, audit.AUTO, "lock", article_id=article_id, reason="deadline passed")
            events.publish_many(session, events.THREAD_LOCKED, now,
                                [(article_id, {"reason": "deadline"}) for article_id in changed])
            if changed:
                caching.threads_changed(session, dict.fromkeys(changed, 0), now, reason="thread_locked")
            locked.extend(changed)
            if len(ids) < batch_size:
                break
    return locked


def next_deadline(session: Session, policy: ClosingPolicy) -> datetime | None:
    """The earliest deadline of a thread still open (index-only minimum of each kind)."""
    earliest_site = session.scalar(
        select(func.min(Article.window_opened_at)).where(Article.locked_at.is_(None),
                                                         Article.fixed_closes_at.is_(None)))
    earliest_fixed = session.scalar(
        select(func.min(Article.fixed_closes_at)).where(Article.locked_at.is_(None),
                                                        Article.fixed_closes_at.is_not(None)))
    candidates = []
    if earliest_site is not None:
        candidates.append(earliest_site + policy.site_window)
    if earliest_fixed is not None:
        candidates.append(earliest_fixed)
    return min(candidates) if candidates else None


def lock_thread(session: Session, article_id: str, actor: str, reason: str | None, now: datetime) -> Article:
    """A moderator closes a thread now. Locking a locked thread changes nothing."""
    article = get_article(session, article_id, for_update=True)
    if article.locked_at is None:
        article.locked_at, article.lock_reason, article.updated_at = now, MANUAL, now
        audit.record(session, now, actor, "lock", article_id=article_id, reason=reason)
        events.publish(session, events.THREAD_LOCKED, now, article_id=article_id, reason="manual")
        caching.threads_changed(session, {article_id: 0}, now, reason="thread_locked")
        signals.notify_after_commit(session, signals.deadlines_changed)
    return article


def unlock_thread(session: Session, article_id: str, actor: str, close_after_hours: float | None,
                  policy: ClosingPolicy, now: datetime) -> Article:
    """Reopen a thread (also one closed by its deadline) for a new window counted from now.

    The window is ``close_after_hours`` if given, else the site window.
    """
    article = get_article(session, article_id, for_update=True)
    previous = {"locked_at": article.locked_at.isoformat() if article.locked_at else None,
                "lock_reason": article.lock_reason}
    article.locked_at, article.lock_reason = None, None
    article.reopened_at = now
    article.close_after_hours = close_after_hours
    article.window_opened_at = rules.window_opened_at(article.published_at, now)
    article.fixed_closes_at = rules.fixed_closes_at(article.window_opened_at, close_after_hours)
    article.updated_at = now
    audit.record(session, now, actor, "unlock", article_id=article_id,
                 details={**previous, "close_after_hours": close_after_hours,
                          "closes_at": policy.closes_at(article).isoformat()})
    events.publish(session, events.THREAD_REOPENED, now, article_id=article_id,
                   closes_at=utc_iso(policy.closes_at(article)))
    caching.threads_changed(session, {article_id: 0}, now, reason="thread_reopened")
    signals.notify_after_commit(session, signals.deadlines_changed)
    return article


def set_window(session: Session, article_id: str, hours: float | None, actor: str, now: datetime) -> Article:
    """A moderator changes a thread's own window (None: back to the site window).

    Through the same upsert the frontend's PUT uses, so the deadline follows the one rule;
    recorded in the log with the previous window.
    """
    article = get_article(session, article_id, for_update=True)
    previous = article.close_after_hours
    article, _ = upsert_article(session, article_id, {"title": article.title, "published_at": article.published_at,
                                                      "close_after_hours": hours}, now)
    audit.record(session, now, actor, "window", article_id=article_id,
                 details={"close_after_hours": hours, "previous": previous})
    return article
