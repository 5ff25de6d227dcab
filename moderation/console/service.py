"""What the console's pages show, read in as few queries as possible, and the few actions
that combine domain functions. Decisions, bans, erasure and locks are the review, closing and
articles services' own functions: nothing here changes a comment's status by itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, true, tuple_
from sqlalchemy.orm import Session

from moderation.accounts.models import Account
from moderation.articles import service as articles
from moderation.articles.models import Article
from moderation.audit.models import AuditEntry
from moderation.closing.policy import ClosingPolicy
from moderation.comments.models import APPROVED, REJECTED, STATUSES, Comment
from moderation.review import bans
from moderation.review import service as review
from moderation.review.models import BannedAuthor, Report

TABS = ("waiting", "reported", "unscored", "approved", "rejected")
ORDERS = ("toxicity", "oldest", "newest")
DECIDED_TABS = {"approved": APPROVED, "rejected": REJECTED}
# The Approved and Rejected tabs count decisions of the last day.
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class QueueQuery:
    tab: str = "waiting"
    order: str = "toxicity"
    article_id: str | None = None
    language: str | None = None
    min_toxicity: float | None = None
    max_toxicity: float | None = None
    cursor: list | None = None
    limit: int = 25

    def filters(self, after_id: int | None = None) -> review.QueueFilter:
        return review.QueueFilter(article_id=self.article_id, language=self.language,
                                  min_toxicity=self.min_toxicity, max_toxicity=self.max_toxicity,
                                  reported=True if self.tab == "reported" else None,
                                  unscored=True if self.tab == "unscored" else None, after_id=after_id)


@dataclass
class QueueView:
    items: list[review.QueueItem]
    next_cursor: list | None
    counts: dict[str, tuple[int, bool]]
    last_id: int  # the newest comment when the page was read: later ones are "new"
    parents: dict[int, Comment] = field(default_factory=dict)
    banned: set[str] = field(default_factory=set)


def cursor_types(tab: str, order: str) -> tuple:
    if tab in DECIDED_TABS:
        return (datetime, int)
    return (float, datetime, int) if order == "toxicity" else (datetime, int)


def queue_view(session: Session, policy: ClosingPolicy, now: datetime, query: QueueQuery) -> QueueView:
    """One page of a tab: waiting tabs through review.queue_page, decided tabs newest first."""
    if query.tab in DECIDED_TABS:
        comments, next_cursor = recent_decisions(session, DECIDED_TABS[query.tab], query.limit, query.cursor,
                                                 article_id=query.article_id)
        items = review.decorate(session, comments, policy, now)
    else:
        page = review.queue_page(session, policy, now, order=query.order, filters=query.filters(),
                                 limit=query.limit, cursor=query.cursor)
        items, next_cursor = page.items, page.next_cursor
    parent_ids = {item.comment.parent_id for item in items if item.comment.parent_id}
    parents = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(parent_ids)))} \
        if parent_ids else {}
    authors = {item.comment.author_id for item in items}
    banned = bans.banned_among(session, authors)
    counts = tab_counts(session, now, query, known=None if query.tab in DECIDED_TABS or query.min_toxicity is not None
                        or query.max_toxicity is not None else (page.total, page.total_capped))
    return QueueView(items=items, next_cursor=next_cursor, counts=counts,
                     last_id=session.scalar(select(func.max(Comment.id))) or 0, parents=parents, banned=banned)


def tab_counts(session: Session, now: datetime, query: QueueQuery,
               known: tuple[int, bool] | None = None) -> dict[str, tuple[int, bool]]:
    """Each tab's count (exact up to 10,000), with the page's article and language filters.
    ``known``: the current tab's count, already made by queue_page."""
    counts = {}
    for tab in ("waiting", "reported", "unscored"):
        if known is not None and tab == query.tab:
            counts[tab] = known
            continue
        filters = QueueQuery(tab=tab, article_id=query.article_id, language=query.language).filters()
        counts[tab] = review.queue_count(session, filters)
    for tab, status in DECIDED_TABS.items():
        conditions = [Comment.status == status, Comment.decided_at.is_not(None), Comment.decided_at > now - RECENT]
        if query.article_id:
            conditions.append(Comment.article_id == query.article_id)
        counted = select(Comment.id).where(*conditions).limit(review.EXACT_TOTAL_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(counted)) or 0
        counts[tab] = (min(total, review.EXACT_TOTAL_LIMIT), total > review.EXACT_TOTAL_LIMIT)
    return counts


def recent_decisions(session: Session, status: str, limit: int, cursor: list | None,
                     article_id: str | None = None) -> tuple[list[Comment], list | None]:
    """Decided comments in ``status``, latest decision first (keyset on decided_at, id)."""
    query = select(Comment).where(Comment.status == status, Comment.decided_at.is_not(None),
                                  Comment.erased_at.is_(None))
    if article_id:
        query = query.where(Comment.article_id == article_id)
    if cursor is not None:
        query = query.where(tuple_(Comment.decided_at, Comment.id) < tuple_(*cursor))
    rows = list(session.scalars(query.order_by(Comment.decided_at.desc(), Comment.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, ([page[-1].decided_at, page[-1].id] if len(rows) > limit else None)


@dataclass(frozen=True)
class CardState:
    id: int
    status: str
    waiting: bool
    decided_by: str | None


def updates(session: Session, query: QueueQuery, after_id: int, ids: list[int]) -> tuple[int, list[CardState]]:
    """For the queue page's poll: how many comments arrived in this tab since ``after_id``, and
    the state of the cards on screen (so that one decided by someone else can be marked)."""
    new = 0
    if query.tab not in DECIDED_TABS:
        new, _ = review.queue_count(session, query.filters(after_id=after_id))
    states = []
    if ids:
        for row in session.execute(select(Comment.id, Comment.status, Comment.awaiting_review, Comment.decided_by)
                                   .where(Comment.id.in_(ids[:200]))):
            states.append(CardState(row.id, row.status, row.awaiting_review, row.decided_by))
    return new, states


def comment_card(session: Session, policy: ClosingPolicy, now: datetime,
                 comment_id: int) -> tuple[review.QueueItem, Comment | None]:
    """One card (after a decision or an undo) and the comment it replies to, if any."""
    comment = review.get_comment(session, comment_id)
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    return review.decorate(session, [comment], policy, now)[0], parent


RECENT_ACTIONS = 500  # how far back the last reason is looked for: a bounded read per queue page


def last_reject_reason(session: Session, actor: str, known: tuple[str, ...]) -> str | None:
    """The reason code of the person's latest rejection with one of the ``known`` reasons (a
    ban's rejections and API reasons skipped) among their last RECENT_ACTIONS entries of the
    audit log (read backwards on its actor index, so its cost never grows with the log)."""
    recent = select(AuditEntry.id, AuditEntry.action, AuditEntry.reason).where(AuditEntry.actor == actor) \
        .order_by(AuditEntry.id.desc()).limit(RECENT_ACTIONS).subquery()
    for reason in session.scalars(select(recent.c.reason).where(recent.c.action == "reject")
                                  .order_by(recent.c.id.desc())):
        code = (reason or "").split(":", 1)[0]
        if code in known:
            return code
    return None


def last_decisions(session: Session, comment_ids: list[int]) -> dict[int, AuditEntry]:
    """The latest decision (approve, reject or undo) on each comment: what a decided card shows."""
    if not comment_ids:
        return {}
    found: dict[int, AuditEntry] = {}
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.comment_id.in_(comment_ids),
                                                          AuditEntry.action.in_(("approve", "reject", "undo")))
                                 .order_by(AuditEntry.id.desc())):
        found.setdefault(entry.comment_id, entry)
    return found


# --- articles ------------------------------------------------------------------------------

@dataclass
class ArticleRow:
    article: Article
    closes_at: datetime
    open: bool
    waiting: int = 0
    approved: int = 0
    paused: bool = False
    resumes_at: datetime | None = None  # None while paused: it closes before the pause ends

    @classmethod
    def of(cls, article: Article, policy: ClosingPolicy, now: datetime) -> "ArticleRow":
        state = policy.thread_state(article, now)
        return cls(article, state.closes_at, state.open, paused=state.paused, resumes_at=state.resumes_at)


def open_articles(session: Session, policy: ClosingPolicy, now: datetime, order: str,
                  limit: int = 100) -> list[ArticleRow]:
    """Open threads, closing soonest first (each kind of deadline read from its own partial
    index, then merged), or with the most comments waiting first."""
    if order == "waiting":
        waiting = session.execute(
            select(Comment.article_id, func.count().label("n")).join(Article, Article.id == Comment.article_id)
            .where(Comment.awaiting_review == True, Article.locked_at.is_(None))  # noqa: E712
            .group_by(Comment.article_id).order_by(func.count().desc(), Comment.article_id).limit(limit * 2)).all()
        found = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_([r[0] for r in waiting])))}
        rows = [ArticleRow.of(found[r[0]], policy, now) for r in waiting]
    else:
        site = session.scalars(select(Article).where(Article.locked_at.is_(None), Article.fixed_closes_at.is_(None),
                                                     Article.window_opened_at > policy.site_window_cutoff(now))
                               .order_by(Article.window_opened_at).limit(limit))
        # An extended own window may still be open past its stored deadline.
        fixed_open = true() if policy.extends_windows else Article.fixed_closes_at > now
        fixed = session.scalars(select(Article).where(Article.locked_at.is_(None),
                                                      Article.fixed_closes_at.is_not(None), fixed_open)
                                .order_by(Article.fixed_closes_at).limit(limit))
        rows = sorted((ArticleRow.of(a, policy, now) for a in [*site, *fixed]),
                      key=lambda row: (row.closes_at, row.article.id))
    rows = [row for row in rows if row.open][:limit]
    _count_comments(session, rows)
    return rows


def _count_comments(session: Session, rows: list[ArticleRow]) -> None:
    if not rows:
        return
    by_id = {row.article.id: row for row in rows}
    for article_id, n in session.execute(
            select(Comment.article_id, func.count()).where(Comment.article_id.in_(by_id),
                                                           Comment.awaiting_review == True)  # noqa: E712
            .group_by(Comment.article_id)):
        by_id[article_id].waiting = n
    for article_id, n in session.execute(
            select(Comment.article_id, func.count()).where(Comment.article_id.in_(by_id), Comment.status == APPROVED,
                                                           Comment.erased_at.is_(None))
            .group_by(Comment.article_id)):
        by_id[article_id].approved = n


@dataclass
class ThreadView:
    article: ArticleRow
    comments: list[tuple[Comment, int]]  # each comment with its depth in the thread
    truncated: bool


THREAD_LIMIT = 1000


def thread(session: Session, policy: ClosingPolicy, now: datetime, article_id: str) -> ThreadView:
    """Every comment of an article in any status, replies under their parent."""
    article = articles.get_article(session, article_id)
    row = ArticleRow.of(article, policy, now)
    _count_comments(session, [row])
    comments = list(session.scalars(select(Comment).where(Comment.article_id == article_id)
                                    .order_by(Comment.created_at, Comment.id).limit(THREAD_LIMIT + 1)))
    truncated = len(comments) > THREAD_LIMIT
    comments = comments[:THREAD_LIMIT]
    children: dict[int | None, list[Comment]] = {}
    known = {c.id for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in known else None
        children.setdefault(parent, []).append(comment)
    # Depth first, replies under their parent, with a stack rather than recursion: a reply
    # chain may be deeper than Python's recursion limit.
    ordered: list[tuple[Comment, int]] = []
    stack = [(child, 0) for child in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        ordered.append((comment, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(comment.id, [])))
    return ThreadView(row, ordered, truncated)


# --- authors -------------------------------------------------------------------------------

@dataclass
class AuthorView:
    author_id: str
    name: str | None
    counts: dict[str, int]
    comments: list[Comment]
    reports: list[tuple[Report, Comment]]
    ban: BannedAuthor | None
    erased: int


AUTHOR_LIMIT = 200


def author(session: Session, author_id: str, status: str | None) -> AuthorView:
    counts = {s: 0 for s in STATUSES}
    for state, n in session.execute(select(Comment.status, func.count()).where(Comment.author_id == author_id)
                                    .group_by(Comment.status)):
        counts[state] = n
    query = select(Comment).where(Comment.author_id == author_id)
    if status in STATUSES:
        query = query.where(Comment.status == status)
    comments = list(session.scalars(query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(AUTHOR_LIMIT)))
    reports = list(session.execute(select(Report, Comment).join(Comment, Comment.id == Report.comment_id)
                                   .where(Comment.author_id == author_id)
                                   .order_by(Report.id.desc()).limit(AUTHOR_LIMIT)).all())
    latest = session.scalar(select(Comment.author_name).where(Comment.author_id == author_id,
                                                              Comment.erased_at.is_(None))
                            .order_by(Comment.id.desc()).limit(1))
    erased = session.scalar(select(func.count()).select_from(Comment).where(Comment.author_id == author_id,
                                                                           Comment.erased_at.is_not(None))) or 0
    return AuthorView(author_id=author_id, name=latest, counts=counts, comments=comments, reports=reports,
                      ban=bans.find_ban(session, author_id), erased=erased)


def account_names(session: Session) -> dict[str, str]:
    """actor -> the person's name, for showing "decided by Alice" instead of user:alice@…"""
    return {account.actor: account.name for account in session.scalars(select(Account))}


def queue_banned(session: Session, author_ids: list[str]) -> set[str]:
    return bans.banned_among(session, author_ids)


def unscored_backlog(session: Session) -> tuple[int, bool]:
    counted = select(Comment.id).where(Comment.scored_at.is_(None)).limit(review.EXACT_TOTAL_LIMIT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return min(total, review.EXACT_TOTAL_LIMIT), total > review.EXACT_TOTAL_LIMIT
