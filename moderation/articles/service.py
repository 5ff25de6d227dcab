"""Articles as the site's frontend registers them, and their thread status."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation import signals
from moderation.articles.models import ARTICLE_ID_PATTERN, Article
from moderation.caching import service as caching
from moderation.closing import policy as rules
from moderation.closing.policy import ClosingPolicy
from moderation.comments.models import APPROVED, Comment
from moderation.errors import NotFound

_UNSET = object()


@dataclass(frozen=True)
class ThreadStatus:
    open: bool
    closes_at: datetime
    locked_at: datetime | None
    lock_reason: str | None
    count: int
    paused: bool = False
    resumes_at: datetime | None = None


@dataclass(frozen=True)
class ArticleView:
    """An article with the state of its comment thread, as the API shows it."""

    id: str
    title: str
    url: str | None
    published_at: datetime
    language: str | None
    close_after_hours: float | None
    quiet_hours: bool
    comments: ThreadStatus


ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)


def ensure_article_id(article_id: str) -> None:
    """An id that cannot exist is simply not found (and never reaches the database)."""
    if not ARTICLE_ID.match(article_id):
        raise NotFound(f"No article {article_id!r}.", details={"article_id": article_id})


def get_article(session: Session, article_id: str, *, for_update: bool = False) -> Article:
    ensure_article_id(article_id)
    query = select(Article).where(Article.id == article_id)
    if for_update:
        query = query.with_for_update()
    article = session.scalar(query)
    if article is None:
        raise NotFound(f"No article {article_id!r}.", details={"article_id": article_id})
    return article


def counted_approved(session: Session, article_id: str) -> int:
    """The public count by its definition (approved, not erased), counted: what the maintained
    ``articles.approved_count`` must always equal (tests hold it to that)."""
    return session.scalar(
        select(func.count()).select_from(Comment).where(Comment.article_id == article_id, Comment.status == APPROVED,
                                                       Comment.erased_at.is_(None))
    ) or 0


def thread_version(session: Session, article_id: str) -> int | None:
    """The article's thread version (None: no such article): one primary-key lookup."""
    ensure_article_id(article_id)
    return session.scalar(select(Article.thread_version).where(Article.id == article_id))


def view_etag(article: Article, policy: ClosingPolicy, now: datetime) -> str:
    """The validator of an article's public status: its version, and its state now (a
    deadline passes and quiet hours begin and end without any write)."""
    state = policy.thread_state(article, now)
    return caching.etag("article", article.id, article.thread_version, state.open, state.closes_at, state.paused,
                        state.resumes_at)


def view(session: Session, article: Article, policy: ClosingPolicy, now: datetime) -> ArticleView:
    thread = policy.thread_state(article, now)
    status = ThreadStatus(
        open=thread.open,
        closes_at=thread.closes_at,
        locked_at=article.locked_at,
        lock_reason=article.lock_reason,
        count=article.approved_count,
        paused=thread.paused,
        resumes_at=thread.resumes_at,
    )
    return ArticleView(id=article.id, title=article.title, url=article.url, published_at=article.published_at,
                       language=article.language, close_after_hours=article.close_after_hours,
                       quiet_hours=article.quiet_hours, comments=status)


def _insert_placeholder(session: Session, article_id: str, fields: dict, now: datetime) -> Article | None:
    article = Article(id=article_id, title=fields["title"], published_at=fields["published_at"],
                      window_opened_at=fields["published_at"], created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(article)
            session.flush()
    except IntegrityError:
        return None
    return article


def upsert_article(session: Session, article_id: str, fields: dict, now: datetime) -> tuple[Article, bool]:
    """Create or update an article; returns it and whether it was created.

    The deadline follows ``published_at`` and the override. A locked thread stays locked:
    reopening is a moderator's decision (POST /articles/<id>/unlock).
    """
    article = session.scalar(select(Article).where(Article.id == article_id).with_for_update())
    created = article is None
    before = None if created else _reader_visible(article)
    if created:
        article = _insert_placeholder(session, article_id, fields, now)
        if article is None:  # another request created it first: this one updates it
            created = False
            article = get_article(session, article_id, for_update=True)
    article.title = fields["title"]
    if "url" in fields or created:
        article.url = fields.get("url")
    if "language" in fields or created:
        article.language = fields.get("language")
    article.published_at = fields["published_at"]
    if "close_after_hours" in fields or created:
        article.close_after_hours = fields.get("close_after_hours")
    if "quiet_hours" in fields or created:
        article.quiet_hours = fields.get("quiet_hours", True)
    article.window_opened_at = rules.window_opened_at(article.published_at, article.reopened_at)
    article.fixed_closes_at = rules.fixed_closes_at(article.window_opened_at, article.close_after_hours)
    article.updated_at = now
    session.flush()
    if before is not None and _reader_visible(article) != before:
        caching.threads_changed(session, {article.id: 0}, now, reason="article_changed")
    signals.notify_after_commit(session, signals.deadlines_changed)
    return article, created


def _reader_visible(article: Article) -> tuple:
    """What of an article its public status shows (the deadline follows the rest)."""
    return (article.title, article.url, article.language, article.published_at, article.close_after_hours,
            article.quiet_hours, article.window_opened_at, article.fixed_closes_at)
