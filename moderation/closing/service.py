"""Locking threads: the automatic sweep and the moderators' manual lock and unlock."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import and_, func, select, tuple_, update
from sqlalchemy.orm import Session

from moderation import signals
from moderation.articles.models import Article
from moderation.articles.service import get_article, upsert_article
from moderation.audit import service as audit
from moderation.caching import service as caching
from moderation.clock import utc_iso
from moderation.closing import policy as rules
from moderation.closing.models import QuietHoursState
from moderation.closing.policy import ClosingPolicy
from moderation.errors import Conflict
from moderation.events import service as events

AUTO, MANUAL = "auto", "manual"
QUIET_HOURS_ROW = 1


def _insert_or_nothing(session: Session, table):
    """INSERT with ON CONFLICT, which both PostgreSQL and SQLite offer."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _due(policy: ClosingPolicy, now: datetime) -> list:
    """Open threads whose deadline has passed, in terms each partial index can answer.

    With ``extend_for_quiet_hours`` a site-window deadline still grows with the window's
    opening, so a cutoff answers it; threads with their own window are left to
    ``_due_own_windows_extended``.
    """
    site = and_(Article.locked_at.is_(None), Article.fixed_closes_at.is_(None))
    own = and_(Article.locked_at.is_(None), Article.fixed_closes_at.is_not(None))
    if not policy.extends_windows:
        return [and_(site, Article.window_opened_at <= policy.site_window_cutoff(now)),
                and_(own, Article.fixed_closes_at <= now)]
    return [and_(site, Article.quiet_hours.is_(True), Article.window_opened_at <= policy.site_window_cutoff(now)),
            and_(site, Article.quiet_hours.is_(False),
                 Article.window_opened_at <= policy.site_window_cutoff(now, quiet_hours=False)),
            and_(own, Article.quiet_hours.is_(False), Article.fixed_closes_at <= now)]


def _own_windows_extended(policy: ClosingPolicy) -> Any:
    """Threads with their own window that quiet hours extend (their stored deadline is the
    unextended one, a lower bound), earliest stored deadline first."""
    return (select(Article.id, Article.window_opened_at, Article.fixed_closes_at, Article.locked_at,
                   Article.quiet_hours)
            .where(Article.locked_at.is_(None), Article.fixed_closes_at.is_not(None), Article.quiet_hours.is_(True))
            .order_by(Article.fixed_closes_at, Article.id))


def _due_own_windows_extended(session: Session, policy: ClosingPolicy, now: datetime,
                              batch_size: int) -> Iterator[list[str]]:
    """Ids of due threads with an extended own window, in batches: every thread whose stored
    deadline has passed is a candidate, and its extended deadline decides."""
    after: tuple[datetime, str] | None = None
    query = _own_windows_extended(policy).where(Article.fixed_closes_at <= now)
    while True:
        page = query if after is None else query.where(tuple_(Article.fixed_closes_at, Article.id) > after)
        rows = session.execute(page.limit(batch_size)).all()
        if not rows:
            return
        yield [row.id for row in rows if policy.closes_at(row) <= now]
        if len(rows) < batch_size:
            return
        after = (rows[-1].fixed_closes_at, rows[-1].id)


def lock_due_threads(session: Session, policy: ClosingPolicy, now: datetime, batch_size: int = 1000) -> list[str]:
    """Lock every thread whose deadline is at or before ``now``; returns the ids locked here.

    Idempotent and safe to run from several processes at once: the UPDATE only touches rows
    still unlocked, and each process writes audit entries only for the rows its own UPDATE
    changed (RETURNING), so every thread is locked, and recorded, exactly once.
    The cost follows the number of threads due: each query is a range scan of a partial
    index over open threads only (with extended own windows, of those past their
    unextended deadline).
    """
    locked: list[str] = []
    for condition in _due(policy, now):
        while True:
            ids = list(session.scalars(select(Article.id).where(condition).limit(batch_size)))
            if not ids:
                break
            locked.extend(_lock(session, ids, condition, now))
            if len(ids) < batch_size:
                break
    if policy.extends_windows:
        own = and_(Article.locked_at.is_(None), Article.fixed_closes_at.is_not(None), Article.fixed_closes_at <= now)
        for ids in _due_own_windows_extended(session, policy, now, batch_size):
            if ids:
                locked.extend(_lock(session, ids, own, now))
    return locked


def _lock(session: Session, ids: list[str], condition: Any, now: datetime) -> list[str]:
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
    return changed


def next_deadline(session: Session, policy: ClosingPolicy) -> datetime | None:
    """The earliest deadline of a thread still open (index-only minimum of each kind)."""
    candidates = []
    site = (Article.locked_at.is_(None), Article.fixed_closes_at.is_(None))
    own = (Article.locked_at.is_(None), Article.fixed_closes_at.is_not(None))
    if not policy.extends_windows:
        earliest_site = session.scalar(select(func.min(Article.window_opened_at)).where(*site))
        if earliest_site is not None:
            candidates.append(earliest_site + policy.site_window)
        earliest_own = session.scalar(select(func.min(Article.fixed_closes_at)).where(*own))
        if earliest_own is not None:
            candidates.append(earliest_own)
        return min(candidates) if candidates else None
    # A site-window deadline grows with the window's opening, extended or not: the earliest
    # opening of each kind has the earliest deadline.
    for observes in (True, False):
        opened = session.scalar(select(func.min(Article.window_opened_at))
                                .where(*site, Article.quiet_hours.is_(observes)))
        if opened is not None:
            candidates.append(policy.closes_at(Article(window_opened_at=opened, quiet_hours=observes)))
    exempt = session.scalar(select(func.min(Article.fixed_closes_at)).where(*own, Article.quiet_hours.is_(False)))
    if exempt is not None:
        candidates.append(exempt)
    # An extended own window ends at or after its stored deadline: read those in order until
    # the stored deadline is past the earliest extended one found.
    earliest = min(candidates) if candidates else None
    after: tuple[datetime, str] | None = None
    query = _own_windows_extended(policy)
    while True:
        page = query if after is None else query.where(tuple_(Article.fixed_closes_at, Article.id) > after)
        if earliest is not None:
            page = page.where(Article.fixed_closes_at < earliest)
        rows = session.execute(page.limit(100)).all()
        for row in rows:
            closes_at = policy.closes_at(row)
            earliest = closes_at if earliest is None else min(earliest, closes_at)
        if len(rows) < 100:
            return earliest
        after = (rows[-1].fixed_closes_at, rows[-1].id)


def announce_quiet_hours(session: Session, policy: ClosingPolicy, now: datetime) -> str | None:
    """Publish thread.paused or thread.resumed if quiet hours began or ended since the site
    last heard; returns the type published, or None.

    One event per boundary for the whole site: the row of ``quiet_hours_state`` changes only
    where it differs, so of several processes that look at the same boundary one announces
    it (on PostgreSQL the second UPDATE waits for the first and then matches nothing). An
    event carries the boundary as its time, also when the service finds it late; a pause
    that began and ended while nobody looked was never announced, and is not.
    """
    pause = policy.quiet.pause_at(now) if policy.quiet is not None else None
    if pause is not None:
        type_, changed_at = events.THREAD_PAUSED, pause[0]
        data = {"paused_at": utc_iso(pause[0]), "resumes_at": utc_iso(pause[1])}
    else:
        # Quiet hours taken out of config during a pause end it now.
        type_ = events.THREAD_RESUMED
        changed_at = policy.quiet.last_resumed(now) if policy.quiet is not None else now
        following = policy.quiet.next_change(now) if policy.quiet is not None else None
        data = {"resumed_at": utc_iso(changed_at), "next_pause_at": utc_iso(following)}
    paused = pause is not None
    changed = session.execute(
        update(QuietHoursState)
        .where(QuietHoursState.id == QUIET_HOURS_ROW, QuietHoursState.paused.is_not(paused))
        .values(paused=paused, changed_at=changed_at)
        .returning(QuietHoursState.id)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:
        # The migration creates the row; it is missing only if the table was emptied, which
        # leaves the site as at the start: told of no pause.
        changed = session.execute(
            _insert_or_nothing(session, QuietHoursState.__table__)
            .values(id=QUIET_HOURS_ROW, paused=paused, changed_at=changed_at)
            .on_conflict_do_nothing()
            .returning(QuietHoursState.id)
        ).first()
        if changed is None or not paused:
            return None
    events.publish(session, type_, changed_at, **data)
    return type_


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


class ConfirmationRequired(Conflict):
    """The change would close an open thread at once and was not confirmed: nothing changed."""

    code = "confirmation_required"


def set_window(session: Session, article_id: str, hours: float | None, actor: str, now: datetime, *,
               policy: ClosingPolicy | None = None, confirmed: bool = True) -> Article:
    """A moderator changes a thread's own window (None: back to the site window).

    Through the same upsert the frontend's PUT uses, so the deadline follows the one rule;
    recorded in the log with the previous window. With a ``policy`` and ``confirmed`` false,
    a window whose deadline is already past (it would close the open thread now) is refused
    with ConfirmationRequired, decided here under the row lock so that the check and the
    change see the same thread.
    """
    article = get_article(session, article_id, for_update=True)
    if policy is not None and not confirmed and policy.window_change_closes_now(article, hours, now):
        raise ConfirmationRequired("This window closes the thread now; confirm to apply it.",
                                   details={"article_id": article_id, "close_after_hours": hours,
                                            "closes_at": utc_iso(policy.closes_at_with_window(article, hours))})
    previous = article.close_after_hours
    article, _ = upsert_article(session, article_id, {"title": article.title, "published_at": article.published_at,
                                                      "close_after_hours": hours}, now)
    audit.record(session, now, actor, "window", article_id=article_id,
                 details={"close_after_hours": hours, "previous": previous})
    return article
