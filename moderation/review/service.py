"""The review queue, decisions, reader reports, author bans and erasure."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from moderation.articles.models import Article
from moderation.audit import service as audit
from moderation.closing.policy import ClosingPolicy
from moderation.comments.models import APPROVED, PENDING, REJECTED, Comment
from moderation.comments.service import find_comment, get_comment
from moderation.errors import ApiError, Conflict, NotFound
from moderation.events import service as events
from moderation.review.decisions import apply_decision
from moderation.review.models import BannedAuthor, Report
from moderation.scoring.models import CommentScore

ORDERS = ("oldest", "newest", "toxicity")


# --- the queue -------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    article_id: str | None = None
    language: str | None = None
    min_toxicity: float | None = None
    max_toxicity: float | None = None
    reported: bool | None = None


@dataclass
class QueueItem:
    comment: Comment
    scores: dict[str, float] | None
    article: dict
    author_history: dict[str, int]
    reports: list[Report]
    flagged_words: list[str] = field(default_factory=list)

    @property
    def scoring(self):
        """issue 11: the comment's scoring state (scored, waiting, or failed to score)."""
        from moderation.scoring.service import scoring_state

        return scoring_state(self.comment)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    total_capped: bool
    next_cursor: list | None


# Counting a million waiting comments costs ~100 ms on every page; a moderator needs the
# exact number only while it is a number a team can work through. Above this, the total is
# reported as this number with total_capped = true ("10,000+").
EXACT_TOTAL_LIMIT = 10_000


def _waiting(filters: QueueFilter):
    conditions = [Comment.awaiting_review == True]  # noqa: E712  (matches the partial indexes' predicate)
    if filters.article_id is not None:
        conditions.append(Comment.article_id == filters.article_id)
    if filters.language is not None:
        conditions.append(Comment.language == filters.language)
    if filters.min_toxicity is not None:
        conditions.append(Comment.toxicity >= filters.min_toxicity)
    if filters.max_toxicity is not None:
        conditions.append(Comment.toxicity <= filters.max_toxicity)
    if filters.reported:
        conditions.append(Comment.open_reports > 0)
    elif filters.reported is False:
        conditions.append(Comment.open_reports == 0)
    return conditions


def _keyset(order: str):
    """The ordering columns of each order; each matches one partial index, scanned one way."""
    if order == "toxicity":  # highest first; unscored (-1) last
        return [Comment.sort_toxicity, Comment.created_at, Comment.id], True
    return [Comment.created_at, Comment.id], order == "newest"


def _after(columns, values, descending: bool):
    """A row-value comparison, (a, b, c) > (x, y, z): both databases scan the index from there."""
    return tuple_(*columns) < tuple_(*values) if descending else tuple_(*columns) > tuple_(*values)


def queue_page(session: Session, policy: ClosingPolicy, now: datetime, *, order: str, filters: QueueFilter,
               limit: int, cursor: list | None) -> QueuePage:
    columns, descending = _keyset(order)
    conditions = _waiting(filters)
    query = select(Comment).where(*conditions)
    if cursor is not None:
        query = query.where(_after(columns, cursor, descending))
    query = query.order_by(*[(c.desc() if descending else c.asc()) for c in columns]).limit(limit + 1)
    rows = list(session.scalars(query))
    page, more = rows[:limit], len(rows) > limit
    counted = select(Comment.id).where(*conditions).limit(EXACT_TOTAL_LIMIT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = [getattr(last, c.key) for c in columns]
    return QueuePage(items=_decorate(session, page, policy, now), total=min(total, EXACT_TOTAL_LIMIT),
                     total_capped=total > EXACT_TOTAL_LIMIT, next_cursor=next_cursor)


def _decorate(session: Session, comments: list[Comment], policy: ClosingPolicy, now: datetime) -> list[QueueItem]:
    """Everything a moderator sees beside each comment, in one query per kind, not per item."""
    if not comments:
        return []
    ids = [c.id for c in comments]
    scores = {s.comment_id: s.scores
              for s in session.scalars(select(CommentScore).where(CommentScore.comment_id.in_(ids)))}
    article_ids = {c.article_id for c in comments}
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(article_ids)))}
    authors = {c.author_id for c in comments}
    history: dict[str, dict[str, int]] = {a: {"approved": 0, "rejected": 0} for a in authors}
    counts = session.execute(
        select(Comment.author_id, Comment.status, func.count())
        .where(Comment.author_id.in_(authors), Comment.status.in_([APPROVED, REJECTED]))
        .group_by(Comment.author_id, Comment.status))
    for author_id, status, count in counts:
        history[author_id][status] = count
    reports: dict[int, list[Report]] = {}
    for report in session.scalars(select(Report).where(Report.comment_id.in_(ids), Report.cleared_at.is_(None))
                                  .order_by(Report.id)):
        reports.setdefault(report.comment_id, []).append(report)
    items = []
    for comment in comments:
        article = articles[comment.article_id]
        items.append(QueueItem(
            comment=comment, scores=scores.get(comment.id),
            article={"id": article.id, "title": article.title, "closes_at": policy.closes_at(article),
                     "open": policy.is_open(article, now), "locked_at": article.locked_at},
            author_history=history[comment.author_id], reports=reports.get(comment.id, []),
            flagged_words=json.loads(comment.flagged_words) if comment.flagged_words else []))
    return items


# --- decisions -------------------------------------------------------------------------

def decide(session: Session, comment_id: int, action: str, actor: str, reason: str | None,
           expected_status: str, now: datetime) -> tuple[Comment, str]:
    """Apply a moderator's decision if the comment is still in the status they saw.

    The row is locked first, so of two moderators deciding at once exactly one succeeds and
    the other gets a 409 naming the current status and who decided it.
    """
    comment = get_comment(session, comment_id, for_update=True)
    if comment.status != expected_status:
        raise Conflict(
            f"The comment is {comment.status}, not {expected_status}.",
            details={"comment_id": comment_id, "current_status": comment.status,
                     "decided_by": comment.decided_by,
                     "decided_at": comment.decided_at.isoformat() if comment.decided_at else None})
    if comment.erased_at is not None:
        raise Conflict("The comment was erased.", details={"comment_id": comment_id, "current_status": comment.status})
    previous = apply_decision(session, comment, action, actor, reason, now)
    return comment, previous


@dataclass(frozen=True)
class DecisionResult:
    comment_id: int
    ok: bool
    status: str | None = None
    previous_status: str | None = None
    error: dict | None = None


def decide_many(session: Session, decisions: list[dict], actor: str, now: datetime) -> list[DecisionResult]:
    """Each decision is applied or refused on its own (a savepoint each)."""
    results = []
    for item in decisions:
        try:
            with session.begin_nested():
                comment, previous = decide(session, item["comment_id"], item["action"], actor, item.get("reason"),
                                           item.get("expected_status") or PENDING, now)
            results.append(DecisionResult(item["comment_id"], True, comment.status, previous))
        except ApiError as error:
            results.append(DecisionResult(item["comment_id"], False, error=error.envelope()["error"]))
    return results


# --- reports ---------------------------------------------------------------------------

def report_comment(session: Session, comment_id: int, reporter_id: str, reason: str, note: str | None,
                   now: datetime) -> Report:
    """A reader reports a comment; an approved one returns to the queue (still public)."""
    comment = find_comment(session, comment_id, for_update=True)
    if comment is None or comment.erased_at is not None:
        raise NotFound(f"No comment {comment_id}.", details={"comment_id": comment_id})
    report = Report(comment_id=comment_id, reporter_id=reporter_id, reason=reason, note=note, created_at=now)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        raise Conflict("This reader has already reported this comment.",
                       details={"comment_id": comment_id, "reporter_id": reporter_id}) from None
    if comment.status != REJECTED:
        comment.open_reports += 1
        comment.awaiting_review = True
    events.publish(session, events.COMMENT_REPORTED, now, article_id=comment.article_id, comment_id=comment_id,
                   reason=reason)
    return report


# --- authors ---------------------------------------------------------------------------

def ban_author(session: Session, author_id: str, actor: str, reason: str | None, now: datetime) -> BannedAuthor:
    ban = session.get(BannedAuthor, author_id)
    if ban is None:
        ban = BannedAuthor(author_id=author_id, banned_at=now, banned_by=actor, reason=reason)
        try:
            with session.begin_nested():
                session.add(ban)
                session.flush()
        except IntegrityError:  # banned concurrently: the first ban stands
            return session.get(BannedAuthor, author_id)
        audit.record(session, now, actor, "ban", author_id=author_id, reason=reason)
        events.publish(session, events.AUTHOR_BANNED, now, author_id=author_id)
    return ban


def unban_author(session: Session, author_id: str, actor: str, reason: str | None, now: datetime) -> bool:
    """Returns whether the author had been banned."""
    ban = session.get(BannedAuthor, author_id)
    if ban is None:
        return False
    session.delete(ban)
    audit.record(session, now, actor, "unban", author_id=author_id, reason=reason)
    return True


ERASED_NAME = ""


def erase_author(session: Session, author_id: str, actor: str, now: datetime) -> int:
    """GDPR erasure: the author's name and comment bodies go, the audit trail's structure stays.

    Erased comments leave the public thread and the queue; their ids, statuses and audit
    entries remain, so every past decision can still be traced.
    """
    erased_rows = session.execute(
        update(Comment).where(Comment.author_id == author_id, Comment.erased_at.is_(None))
        .values(author_name=ERASED_NAME, body="", flagged_words=None, erased_at=now, awaiting_review=False)
        .returning(Comment.id, Comment.article_id)
        .execution_options(synchronize_session=False)).all()
    erased = len(erased_rows)
    session.execute(update(Report).where(Report.reporter_id == author_id).values(note=None)
                    .execution_options(synchronize_session=False))
    audit.record(session, now, actor, "erase", author_id=author_id, details={"comments": erased})
    events.publish(session, events.AUTHOR_ERASED, now, author_id=author_id,
                   comment_ids=sorted(row.id for row in erased_rows),
                   article_ids=sorted({row.article_id for row in erased_rows}))
    return erased
