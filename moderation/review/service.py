"""The review queue, decisions, reader reports, author bans and erasure."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from moderation.articles.models import Article
from moderation.audit import service as audit
from moderation.audit.models import AuditEntry
from moderation.closing.policy import ClosingPolicy
from moderation.comments.models import APPROVED, PENDING, REJECTED, Comment
from moderation.comments.service import find_comment, get_comment
from moderation.errors import ApiError, Conflict, NotFound, ValidationError
from moderation.events import service as events
from moderation.review import bans, state
from moderation.review.models import AuthorNote, BannedAuthor, Report
from moderation.scoring.models import CommentScore
from moderation.webhooks import service as webhooks

ORDERS = ("oldest", "newest", "toxicity", "house")


# --- the queue -------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    article_id: str | None = None
    language: str | None = None
    min_toxicity: float | None = None
    max_toxicity: float | None = None
    reported: bool | None = None
    unscored: bool | None = None
    after_id: int | None = None  # only comments that arrived after this one (the console's "N new")
    author: str | None = None  # an author's id, or their display name (any case)
    text: str | None = None  # words the body contains (any case)


@dataclass
class QueueItem:
    comment: Comment
    scores: dict[str, float] | None
    article: dict
    author_history: dict[str, int]
    reports: list[Report]
    flagged_words: list[str] = field(default_factory=list)
    # Issue 16: the model that scored the comment, and False when none covers its language.
    model: str | None = None
    language_covered: bool | None = None
    # Issue 23: the house model that gave scores["house"], and the words that pushed it up
    # (house/model.py's explain: word, weight, spans), filled in by the console for its cards.
    house_model: str | None = None
    house_why: list[dict] | None = None

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
    if filters.unscored:
        conditions.append(Comment.scored_at.is_(None))
    if filters.after_id is not None:
        conditions.append(Comment.id > filters.after_id)
    return conditions + author_and_text(filters.author, filters.text)


TEXT_SEARCH_MAX = 100


def like_pattern(value: str) -> str:
    """A LIKE pattern matching ``value`` anywhere: its own % and _ are literal."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def author_and_text(author: str | None, text: str | None) -> list:
    """The queue's author and text filters. The author is matched exactly (the id through
    ix_comments_author_status, the name case-insensitively); the text is a bounded substring
    match (at most TEXT_SEARCH_MAX characters, wildcards escaped). A substring cannot use a
    B-tree index: it is always combined with the queue's partial indexes (waiting rows only),
    or the decided tabs' recent window, and pages stop at the limit, so it reads the waiting
    set, never the whole table."""
    conditions = []
    if author:
        conditions.append(or_(Comment.author_id == author, func.lower(Comment.author_name) == author.lower()))
    if text:
        conditions.append(func.lower(Comment.body).like(like_pattern(text[:TEXT_SEARCH_MAX].lower()), escape="\\"))
    return conditions


def _keyset(order: str):
    """The ordering columns of each order; each matches one partial index, scanned one way."""
    if order == "toxicity":  # highest first; unscored (-1) last
        return [Comment.sort_toxicity, Comment.created_at, Comment.id], True
    if order == "house":  # most likely rejected first (issue 23); no house score (-1) last
        return [Comment.sort_house, Comment.created_at, Comment.id], True
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
    scored = {s.comment_id: s for s in session.scalars(select(CommentScore).where(CommentScore.comment_id.in_(ids)))}
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
        state = policy.thread_state(article, now)
        items.append(QueueItem(
            comment=comment, scores=scored[comment.id].scores if comment.id in scored else None,
            model=scored[comment.id].model if comment.id in scored else None,
            language_covered=scored[comment.id].covered if comment.id in scored else None,
            house_model=scored[comment.id].house_model if comment.id in scored else None,
            article={"id": article.id, "title": article.title, "url": article.url,
                     "closes_at": policy.closes_at(article),
                     "open": state.open, "locked_at": article.locked_at, "paused": state.paused,
                     "resumes_at": state.resumes_at, "pauses_at": policy.next_pause(article, now)},
            author_history=history[comment.author_id], reports=reports.get(comment.id, []),
            flagged_words=json.loads(comment.flagged_words) if comment.flagged_words else []))
    return items


def decorate(session: Session, comments: list[Comment], policy: ClosingPolicy, now: datetime) -> list[QueueItem]:
    """Queue items for any comments (the console's lists of recent decisions use it too)."""
    return _decorate(session, comments, policy, now)


def queue_count(session: Session, filters: QueueFilter) -> tuple[int, bool]:
    """Waiting comments matching ``filters``, exact up to EXACT_TOTAL_LIMIT; (count, capped)."""
    counted = select(Comment.id).where(*_waiting(filters)).limit(EXACT_TOTAL_LIMIT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return min(total, EXACT_TOTAL_LIMIT), total > EXACT_TOTAL_LIMIT


# --- decisions -------------------------------------------------------------------------

def decide(session: Session, comment_id: int, action: str, actor: str, reason: str | None, now: datetime, *,
           expected_status: str | None = None, expected_version: int | None = None,
           details: dict | None = None) -> tuple[Comment, str]:
    """Apply a moderator's decision if the comment is still what the moderator saw.

    ``expected_version`` is the version they saw (any change since — another decision, a new
    report, a score — refuses the decision); ``expected_status`` alone is the older, weaker
    check, and "pending" is assumed when neither is given. The row is locked first, so of two
    moderators deciding at once exactly one succeeds and the other gets a 409 naming the
    current status, version and who last acted.
    """
    if expected_status is None and expected_version is None:
        expected_status = PENDING
    comment = get_comment(session, comment_id, for_update=True)
    try:
        state.check_expected(comment, expected_status, expected_version)
    except Conflict:
        state.check_expected(comment, expected_status, expected_version,
                             last_action=audit.last_action(session, comment_id))
    previous = state.decide(session, comment, action, actor, reason, now, details=details)
    return comment, previous


@dataclass(frozen=True)
class DecisionResult:
    comment_id: int
    ok: bool
    status: str | None = None
    previous_status: str | None = None
    version: int | None = None
    error: dict | None = None


def decide_many(session: Session, decisions: list[dict], actor: str, now: datetime) -> list[DecisionResult]:
    """Each decision is applied or refused on its own (a savepoint each).

    Every row is locked first, in ascending id order, so two bulk requests over the same
    comments in opposite orders wait for each other instead of deadlocking.
    """
    state.lock_in_order(session, (item["comment_id"] for item in decisions))
    results = []
    for item in decisions:
        try:
            with session.begin_nested():
                comment, previous = decide(session, item["comment_id"], item["action"], actor, item.get("reason"),
                                           now, expected_status=item.get("expected_status"),
                                           expected_version=item.get("expected_version"),
                                           details=item.get("details"))
            results.append(DecisionResult(item["comment_id"], True, comment.status, previous, comment.version))
        except ApiError as error:
            results.append(DecisionResult(item["comment_id"], False, error=error.envelope()["error"]))
    return results


# --- undo ----------------------------------------------------------------------------

UNDOABLE = ("approve", "reject")


def last_undoable(session: Session, actor: str, now: datetime, window: timedelta) -> AuditEntry | None:
    """The actor's latest decision within ``window`` that nothing has followed since, if any."""
    entry = session.scalar(select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.at > now - window)
                           .order_by(AuditEntry.id.desc()).limit(1))
    if entry is None or entry.action not in UNDOABLE or entry.comment_id is None:
        return None
    latest = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.comment_id == entry.comment_id))
    return entry if latest == entry.id else None


def undo_decision(session: Session, comment_id: int, actor: str, now: datetime,
                  window: timedelta) -> tuple[Comment, AuditEntry]:
    """Reverse the actor's own last decision on this comment, within ``window`` of it.

    The reversal is a new change recorded as action "undo" (reason "undo of #<entry>"): the
    comment returns to the status it had (pending, or approved while reported), the reports
    that decision cleared are open again, and decided_by/decided_at are those of the decision
    before it. Only the person who decided may undo, only while no one acted on it since.
    Returns the comment and the audit entry that was undone.
    """
    comment = get_comment(session, comment_id, for_update=True)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.comment_id == comment_id)
                           .order_by(AuditEntry.id.desc()).limit(1))
    if entry is None or entry.action not in UNDOABLE:
        raise Conflict("There is no decision to undo on this comment.", details={"comment_id": comment_id})
    if entry.actor != actor:
        raise Conflict("Only the person who decided may undo it.",
                       details={"comment_id": comment_id, "decided_by": entry.actor})
    if entry.at <= now - window:
        raise Conflict("Too late to undo this decision.",
                       details={"comment_id": comment_id, "decided_at": entry.at.isoformat(),
                                "undo_seconds": window.total_seconds()})
    if comment.erased_at is not None or comment.status != entry.new_status or entry.previous_status is None:
        raise Conflict("The comment changed since this decision.",
                       details={"comment_id": comment_id, "current_status": comment.status})
    state.undo(session, comment, entry, actor, now)
    return comment, entry


# --- featured comments -------------------------------------------------------------------

def feature(session: Session, comment_id: int, featured: bool, actor: str, now: datetime) -> Comment:
    """Feature or unfeature a comment (see state.set_featured); the row is locked first."""
    comment = get_comment(session, comment_id, for_update=True)
    state.set_featured(session, comment, featured, actor, now)
    return comment


BAN_REJECTION = "banned author"  # the reason of the rejections a ban makes


def reject_waiting_of(session: Session, author_id: str, actor: str, now: datetime,
                      ban: AuditEntry | None = None) -> list[DecisionResult]:
    """Reject every comment of this author that waits for a decision (through decide_many).

    With the ``ban`` entry that caused them, each rejection names it (details ``ban``), so that
    undoing the ban restores exactly these comments.
    """
    waiting = session.execute(select(Comment.id, Comment.version).where(
        Comment.author_id == author_id, Comment.awaiting_review == True)  # noqa: E712
        .order_by(Comment.id).limit(1000)).all()
    if ban is not None:
        session.flush()  # the ban entry's id
    details = {"ban": ban.id} if ban is not None else None
    decisions = [{"comment_id": row.id, "action": "reject", "reason": BAN_REJECTION, "expected_version": row.version,
                  "details": details} for row in waiting]
    return decide_many(session, decisions, actor, now) if decisions else []


def ban_rejecting(session: Session, author_id: str, actor: str, reason: str | None, now: datetime,
                  reject_waiting: bool) -> list[DecisionResult]:
    """Ban the author and, if asked, reject everything they have waiting, each rejection
    linked to this ban (when the ban is new: an author already banned keeps the first ban)."""
    ban = ban_author(session, author_id, actor, reason, now)
    if not reject_waiting:
        return []
    entry = ban_entry(session, author_id) if ban.banned_by == actor and ban.banned_at == now else None
    return reject_waiting_of(session, author_id, actor, now, ban=entry)


def ban_entry(session: Session, author_id: str) -> AuditEntry | None:
    """The audit entry of the author's current ban, if it was recorded (the latest "ban")."""
    return session.scalar(select(AuditEntry).where(AuditEntry.author_id == author_id, AuditEntry.action == "ban")
                          .order_by(AuditEntry.id.desc()).limit(1))


def last_undoable_ban(session: Session, actor: str, now: datetime, window: timedelta,
                      comment_id: int | None = None) -> AuditEntry | None:
    """The ban entry to undo when the actor undoes their last action (or, with ``comment_id``,
    the decision on that card): when that is a ban of theirs within ``window``, or one of the
    rejections it made (those follow it in the same transaction), and the ban still stands.
    Else None: a plain decision, undone alone."""
    if comment_id is None:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.at > now - window)
                               .order_by(AuditEntry.id.desc()).limit(1))
    else:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.comment_id == comment_id)
                               .order_by(AuditEntry.id.desc()).limit(1))
    if entry is None or entry.actor != actor or entry.at <= now - window:
        return None
    if entry.action != "ban":
        ban_id = (entry.details or {}).get("ban") if entry.action == "reject" else None
        entry = session.get(AuditEntry, ban_id) if isinstance(ban_id, int) else None
    if entry is None or entry.action != "ban" or entry.author_id is None \
            or bans.find_ban(session, entry.author_id) is None:
        return None
    return entry


@dataclass(frozen=True)
class BanUndo:
    author_id: str
    restored: list[int]  # the comments back to their state before the ban
    kept: list[int]  # rejected by the ban but changed since: left as they are


def undo_ban(session: Session, ban_id: int, actor: str, now: datetime, window: timedelta) -> BanUndo:
    """Undo the actor's ban (audit entry ``ban_id``) within ``window``: the ban is lifted and
    every comment it rejected returns to the state it had (through state.undo: audit entry,
    outbox event and thread version each), unless someone acted on it since.

    Only the person who banned may undo it, only while the ban still stands.
    """
    entry = session.get(AuditEntry, ban_id)
    if entry is None or entry.action != "ban" or entry.author_id is None:
        raise Conflict("There is no ban to undo.", details={"ban": ban_id})
    if entry.actor != actor:
        raise Conflict("Only the person who banned may undo it.", details={"ban": ban_id, "decided_by": entry.actor})
    if entry.at <= now - window:
        raise Conflict("Too late to undo this ban.", details={"ban": ban_id, "decided_at": entry.at.isoformat(),
                                                               "undo_seconds": window.total_seconds()})
    author_id = entry.author_id
    if not unban_author(session, author_id, actor, f"undo of #{entry.id}", now):
        raise Conflict("The author is no longer banned.", details={"ban": ban_id, "author_id": author_id})
    rejections = [e for e in session.scalars(
        select(AuditEntry).where(AuditEntry.author_id == author_id, AuditEntry.action == "reject",
                                 AuditEntry.actor == actor, AuditEntry.id > entry.id, AuditEntry.at == entry.at)
        .order_by(AuditEntry.id)) if (e.details or {}).get("ban") == entry.id and e.comment_id is not None]
    state.lock_in_order(session, (e.comment_id for e in rejections))
    restored, kept = [], []
    for rejection in rejections:
        comment = session.get(Comment, rejection.comment_id)
        latest = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.comment_id == rejection.comment_id))
        if comment is None or comment.erased_at is not None or latest != rejection.id \
                or comment.status != rejection.new_status:
            kept.append(rejection.comment_id)
            continue
        state.undo(session, comment, rejection, actor, now)
        restored.append(comment.id)
    return BanUndo(author_id, restored, kept)


# --- reports ---------------------------------------------------------------------------

def report_comment(session: Session, comment_id: int, reporter_id: str, reason: str, note: str | None,
                   now: datetime) -> Report:
    """A reader reports a comment; an approved one returns to the queue (still public)."""
    comment = find_comment(session, comment_id, for_update=True)
    if comment is None or comment.erased_at is not None:
        raise NotFound(f"No comment {comment_id}.", details={"comment_id": comment_id})
    return state.add_report(session, comment, reporter_id, reason, note, now)


# --- authors ---------------------------------------------------------------------------

def ban_author(session: Session, author_id: str, actor: str, reason: str | None, now: datetime) -> BannedAuthor:
    ban = bans.find_ban(session, author_id)
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
    ban = bans.find_ban(session, author_id)
    if ban is None:
        return False
    session.delete(ban)
    audit.record(session, now, actor, "unban", author_id=author_id, reason=reason)
    return True


NOTE_MAX = 1000


def add_author_note(session: Session, author_id: str, body: str, actor: str, now: datetime) -> AuthorNote:
    """A moderator's note about an author, shown on each of their cards. The audit entry
    carries the text as its reason, so that erasure blanks it with the others."""
    body = body.strip()
    if not body or len(body) > NOTE_MAX:
        raise ValidationError(f"A note has 1 to {NOTE_MAX} characters.", details={"body": ["length"]})
    note = AuthorNote(author_id=author_id, body=body, created_at=now, created_by=actor)
    session.add(note)
    audit.record(session, now, actor, "note", author_id=author_id, reason=body)
    return note


def author_notes(session: Session, author_ids: set[str] | list[str],
                 per_author: int = 3) -> dict[str, list[AuthorNote]]:
    """The newest notes of each author (one query for all of them, for a page of cards)."""
    if not author_ids:
        return {}
    ranked = select(AuthorNote, func.row_number().over(partition_by=AuthorNote.author_id,
                                                       order_by=AuthorNote.id.desc()).label("rank")) \
        .where(AuthorNote.author_id.in_(list(author_ids))).subquery()
    note = aliased(AuthorNote, ranked)
    found: dict[str, list[AuthorNote]] = {}
    for row in session.scalars(select(note).where(ranked.c.rank <= per_author).order_by(ranked.c.id.desc())):
        found.setdefault(row.author_id, []).append(row)
    return found


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed, by kind, with counts."""

    author_id: str
    comments: int
    reports_on_comments: int
    reports_filed: int
    idempotency_keys: int
    reader_addresses: int
    audit_reasons: int
    ban_reasons: int
    author_notes: int = 0


# Also in migration 0008's audit trigger: an erasure may set an audit entry's author id only to this.
TOMBSTONE_PREFIX = "erased:"


def new_tombstone() -> str:
    """What replaces an erased author's id: random, so that nothing links it to the person,
    and with a prefix that the audit log's trigger recognises."""
    return TOMBSTONE_PREFIX + secrets.token_urlsafe(16)


def erase_author(session: Session, author_id: str, actor: str, now: datetime) -> Erasure:
    """GDPR erasure: everything that identifies the author or repeats their words goes.

    Their comments lose bodies, names, digests, idempotency keys and reader addresses, and
    the reports on them (notes quote them); the reports they filed as a reader lose who
    filed them and their notes; the free-text reasons of audit entries and of their ban go.
    The author id itself is replaced everywhere (comments, audit log, outbox events, webhook
    payloads) by one random tombstone, so their comments still belong together and every
    past decision can still be traced. A ban survives as a keyed hash of the id (see
    review/bans.py). Only the ``author.erased`` event carries the id, so that the site can
    erase its side; it is pruned as soon as it has been delivered.
    """
    tombstone = new_tombstone()
    erased = state.erase_comments(session, author_id, tombstone, now)
    reports_filed = state.anonymise_reports_by(session, author_id, now)
    audit_reasons = audit.redact_author(session, author_id=author_id, tombstone=tombstone,
                                        comment_ids=select(Comment.id).where(Comment.author_id == tombstone))
    ban_reasons = _key_ban(session, author_id)
    # Moderators' notes describe the person: they go (their audit entries lost the text above).
    notes = session.execute(delete(AuthorNote).where(AuthorNote.author_id == author_id)
                            .execution_options(synchronize_session=False)).rowcount
    webhooks.forget_author(session, author_id, tombstone)
    result = Erasure(author_id=author_id, comments=len(erased.comment_ids),
                     reports_on_comments=erased.reports_on_comments, reports_filed=reports_filed,
                     idempotency_keys=erased.idempotency_keys, reader_addresses=erased.reader_addresses,
                     audit_reasons=audit_reasons, ban_reasons=ban_reasons, author_notes=notes)
    audit.record(session, now, actor, "erase", author_id=tombstone,
                 details={kind: count for kind, count in result.__dict__.items() if kind != "author_id"})
    events.publish(session, events.AUTHOR_ERASED, now, author_id=author_id, comment_ids=erased.comment_ids,
                   article_ids=erased.article_ids)
    return result


def _key_ban(session: Session, author_id: str) -> int:
    """The author's ban, if any, keeps refusing the id without storing it; returns how many
    ban reasons were removed."""
    ban = session.get(BannedAuthor, author_id)
    if ban is None:
        return 0
    had_reason = int(ban.reason is not None)
    keyed = bans.keyed_id(session, author_id, create=True)
    if session.get(BannedAuthor, keyed) is not None:  # banned, erased, banned again: one ban stays
        session.delete(ban)
    else:
        session.execute(update(BannedAuthor).where(BannedAuthor.author_id == author_id)
                        .values(author_id=keyed, reason=None).execution_options(synchronize_session=False))
        session.expunge(ban)
    return had_reason
